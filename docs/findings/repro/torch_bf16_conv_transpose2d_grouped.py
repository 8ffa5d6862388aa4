"""PyTorch 2.13.0 CPU: bfloat16 conv_transpose2d returns a wrong input gradient (oneDNN, AMX).

dX of a transposed convolution is a forward convolution of dY.  oneDNN runs it, for these
shapes, with its AMX kernel brg_conv_fwd:avx10_1_512_amx, which goes wrong when its output
(here dX) is one column wide, the width stride is > 1 and the kernel width >= 2.  So:
bfloat16, oneDNN on (the default), a CPU with AMX, input width 1, stride_w >= 2, kw >= 2,
any groups (conditions and the rare exceptions: docs/findings/torch-bf16-conv-transpose2d.md;
ONEDNN_VERBOSE=1 shows the kernel).  float16, float32 and oneDNN off are right.  Without AMX
(checked by capping oneDNN: ONEDNN_MAX_CPU_ISA=AVX512_CORE_BF16 or AVX2) the script exits 0.
Framework only: torch.  Run: python torch_bf16_conv_transpose2d_grouped.py (exits 1 when off)
"""

import torch
import torch.nn.functional as F

torch.set_num_threads(1)
CASES = [  # X (N, C, H, W), W (in, out / groups, kh, kw), conv_transpose2d keywords
    ((1, 1, 5, 1), (1, 2, 3, 3), dict(stride=2)),
    ((1, 4, 5, 1), (4, 2, 2, 4), dict(stride=2, groups=2)),
]


def dx(x, w, dy, dtype, onednn, kw):
    torch.backends.mkldnn.enabled = onednn
    x = x.to(dtype).requires_grad_()
    y = F.conv_transpose2d(x, w.to(dtype), **kw)
    (g,) = torch.autograd.grad(y, x, dy.to(dtype))
    return g.double()


bad = False
gen = torch.Generator().manual_seed(0)
for xs, ws, kw in CASES:
    # bf16-representable data: float64 autograd on the same values is the reference
    x = torch.randn(xs, generator=gen, dtype=torch.float64).bfloat16().double()
    w = torch.randn(ws, generator=gen, dtype=torch.float64).bfloat16().double()
    ys = F.conv_transpose2d(x, w, **kw).shape
    dy = torch.randn(ys, generator=gen, dtype=torch.float64).bfloat16().double()
    ref = dx(x, w, dy, torch.float64, False, kw)
    on, off = (
        float((dx(x, w, dy, torch.bfloat16, o, kw) - ref).norm() / ref.norm())
        for o in (True, False)
    )
    print(f"X {xs}, W {ws}, {kw}: bf16 dX relative error: oneDNN on {on:.2e}, off {off:.2e}")
    bad |= not on <= 0.05  # a correct bf16 result is ~2e-3 (8 significant bits)
raise SystemExit(1 if bad else 0)
