"""MLX 0.32 (CPU): conv_transpose2d defects found by gradgate. Framework only: mlx, numpy, torch.

Classes 1 and 2 are checked on conv_transpose1d and conv_transpose3d too (one axis carries the
geometry, the others have size 1), and class 1 on conv_general, which they build on.  Each
check prints BUG or ok; the script exits 1 when any bug shows.  torch (float64) gives the
expected values and shapes.  Run: python mlx_conv_transpose2d.py
"""

import mlx.core as mx
import numpy as np
import torch

mx.set_default_device(mx.cpu)
rng = np.random.default_rng(0)
bugs = 0


def report(name: str, bug: bool, detail: str) -> None:
    global bugs
    bugs += bug
    print(f"{'BUG' if bug else 'ok '} {name}: {detail}")


def torch_conv_t(x_nhwc, w_okki, **kw):
    """The expected result: torch float64, x NHWC, w MLX's (out, kh, kw, in)."""
    x = torch.tensor(x_nhwc, dtype=torch.float64).permute(0, 3, 1, 2)
    w = torch.tensor(w_okki, dtype=torch.float64).permute(3, 0, 1, 2)
    return torch.nn.functional.conv_transpose2d(x, w, **kw).permute(0, 2, 3, 1).numpy()


# Class 2 (docs/findings/mlx.md): padding larger than dilation * (kernel - 1): Y too small.
x, w = rng.standard_normal((1, 3, 1, 1)), rng.standard_normal((1, 1, 1, 1))
got = mx.conv_transpose2d(
    mx.array(x, dtype=mx.float32), mx.array(w, dtype=mx.float32), stride=(3, 1), padding=(1, 0)
)
want = torch_conv_t(x, w, stride=(3, 1), padding=(1, 0))
report(
    "class 2, padding > dilation*(k-1): output shape",
    got.shape != want.shape,
    f"mlx {got.shape}, torch {want.shape} (in 3, k 1, stride 3, padding 1)",
)

# Class 1: output padding above the padding, with a stride: the vjp's dX has the wrong shape.
x, w = rng.standard_normal((1, 3, 1, 1)), rng.standard_normal((1, 1, 1, 1))


def f(x, w):
    return mx.conv_transpose2d(x, w, stride=(2, 1), output_padding=(1, 0))


xa, wa = mx.array(x, dtype=mx.float32), mx.array(w, dtype=mx.float32)
y = f(xa, wa)
try:
    _, (dx, dw) = mx.vjp(f, [xa, wa], [mx.ones(y.shape)])
    report(
        "class 1, output_padding: vjp input-gradient shape",
        dx.shape != xa.shape,
        f"dX {dx.shape}, X {xa.shape} (in 3, k 1, stride 2, output_padding 1)",
    )
except ValueError as exc:
    report("class 1, output_padding: vjp raises", True, str(exc)[:120])


# Class 1, below conv_transpose2d: conv_general with an input dilation (what conv_transpose2d
# builds: input dilation = stride, high padding = dilation*(k-1) - padding + output_padding).
def general(x, w):
    return mx.conv_general(x, w, padding=([0, 0], [1, 0]), input_dilation=(2, 1), flip=True)


y = general(xa, wa)
_, (dx, _) = mx.vjp(general, [xa, wa], [mx.ones(y.shape)])
report(
    "class 1, conv_general, input dilation 2, high padding 1: vjp input-gradient shape",
    dx.shape != xa.shape,
    f"dX {dx.shape}, X {xa.shape}",
)

# Classes 2 and 1 in 1-D and 3-D: the same geometry on the first spatial axis.
for name, dims in (("conv_transpose1d", 1), ("conv_transpose3d", 3)):
    op, torch_op = getattr(mx, name), getattr(torch.nn.functional, name)
    rest = (1,) * (dims - 1)
    x = mx.array(rng.standard_normal((1, 3, *rest, 1)), dtype=mx.float32)
    w = mx.array(rng.standard_normal((1, 1, *rest, 1)), dtype=mx.float32)

    def one(v: int, dims: int = dims) -> int | tuple[int, ...]:
        return v if dims == 1 else (v,) + (0,) * (dims - 1)

    got = op(x, w, stride=3 if dims == 1 else (3, 1, 1), padding=one(1))
    want = torch_op(
        torch.zeros(1, 1, 3, *rest), torch.zeros(1, 1, 1, *rest), stride=3, padding=one(1)
    )
    report(
        f"class 2, {name}, padding > dilation*(k-1): output length",
        got.shape[1] != want.shape[2],
        f"mlx {got.shape[1]}, torch {want.shape[2]} (in 3, k 1, stride 3, padding 1)",
    )

    def g(x, w, op=op, dims=dims):
        return op(
            x, w, stride=2 if dims == 1 else (2, 1, 1), output_padding=1 if dims == 1 else (1, 0, 0)
        )

    y = g(x, w)
    try:
        _, (dx, _) = mx.vjp(g, [x, w], [mx.ones(y.shape)])
        report(
            f"class 1, {name}, output_padding: vjp input-gradient shape",
            dx.shape != x.shape,
            f"dX {dx.shape}, X {x.shape} (in 3, k 1, stride 2, output_padding 1)",
        )
    except ValueError as exc:
        report(f"class 1, {name}, output_padding: vjp raises", True, str(exc)[:120])

# Class 3. float64: refused with a stride or dilation > 1, float32 precision without.
x, w = rng.standard_normal((1, 2, 2, 1)), rng.standard_normal((1, 2, 2, 1))
xa, wa = mx.array(x, dtype=mx.float64), mx.array(w, dtype=mx.float64)
try:
    mx.eval(mx.conv_transpose2d(xa, wa, stride=2))
    report("class 3, float64, stride 2", False, "computed")
except ValueError as exc:
    report("class 3, float64, stride 2", True, f"raises {exc}")
y = np.array(mx.conv_transpose2d(xa, wa))
err = float(np.abs(y - torch_conv_t(x, w)).max())
report(
    "class 3, float64, stride 1: precision",
    err > 1e-14,
    f"dtype {y.dtype}, max |error| {err:.2e} against torch float64 (rounding: ~1e-16)",
)

raise SystemExit(1 if bugs else 0)
