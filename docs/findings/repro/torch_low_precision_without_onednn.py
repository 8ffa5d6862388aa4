"""PyTorch 2.13.0 CPU: without oneDNN, float16/bfloat16 conv_transpose2d keeps less than its
dtype where kernel taps overlap.

Framework only: torch.  Y of conv_transpose2d on 16-bit inputs, against float64 on the same
values: the RMS error in units of a correctly rounded result's (1.00 = rounded once, as a
float32 accumulator gives), and how many outputs come out with the wrong sign.  Run as is
(oneDNN on, and off via torch.backends.mkldnn), or with ONEDNN_MAX_CPU_ISA=AVX2 in the
environment (a processor without AVX-512: there the 'oneDNN on' lines match 'off').
Exits 1 while the oneDNN-off path loses precision on the overlapping layers.

    python torch_low_precision_without_onednn.py
"""

import torch
import torch.nn.functional as F

torch.set_num_threads(1)
LAYERS = [  # in channels, kernel, stride (batch 5, 4x4 input, 129 output channels)
    (257, 4, 2),
    (257, 3, 1),
    (64, 4, 2),
    (257, 1, 1),  # no overlapping taps
]


def measure(dtype: torch.dtype, c: int, k: int, s: int, onednn: bool) -> tuple[float, int]:
    gen = torch.Generator().manual_seed(c * 100 + k * 10 + s)
    x = torch.randn(5, c, 4, 4, generator=gen, dtype=torch.float64).to(dtype).double()
    w = (torch.randn(c, 129, k, k, generator=gen, dtype=torch.float64) / 16).to(dtype).double()
    exact = F.conv_transpose2d(x, w, stride=s)
    with torch.backends.mkldnn.flags(enabled=onednn):
        got = F.conv_transpose2d(x.to(dtype), w.to(dtype), stride=s).double()
    once = exact.to(dtype).double()
    rms = float((got - exact).pow(2).mean().sqrt() / (once - exact).pow(2).mean().sqrt())
    return rms, int(((got > 0) != (exact > 0)).sum())


lossy = False
print("dtype      in  k s   oneDNN on: rms, wrong signs   oneDNN off: rms, wrong signs")
for dtype in (torch.float16, torch.bfloat16):
    for c, k, s in LAYERS:
        on, off = measure(dtype, c, k, s, True), measure(dtype, c, k, s, False)
        name = str(dtype).replace("torch.", "")
        cells = f"{on[0]:5.2f} {on[1]:4d}" + " " * 17 + f"{off[0]:5.2f} {off[1]:4d}"
        print(f"{name:9} {c:4} {k} {s}   {cells}")
        if k > 1:
            lossy |= off[0] > 1.3
raise SystemExit(1 if lossy else 0)
