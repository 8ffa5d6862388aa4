"""MLX 0.32 (CPU): the second derivative of conv_transpose2d returns an input cotangent of the
wrong shape (docs/findings/mlx.md, class 4).

The vjp of the vjp of `mx.conv_transpose2d` with stride (2, 1), padding (1, 0) and output
padding (1, 0) on an input of one row, a kernel of two: the first derivative is right (checked
against PyTorch), but the second order's cotangent for x, which must have x's shape (1, 1, 2,
1), comes back with 0 rows.  Framework
only: mlx, numpy, torch.  Exits 1 while the defect shows, 0 once MLX returns x's shape and
PyTorch's values.  Run: python mlx_conv_transpose2d_second_order.py
"""

import sys

import mlx.core as mx
import numpy as np
import torch

mx.set_default_device(mx.cpu)
rng = np.random.default_rng(0)
x, w = rng.standard_normal((1, 1, 2, 1)), rng.standard_normal((1, 2, 1, 1))  # NHWC, (O, kh, kw, I)
kw = {"stride": (2, 1), "padding": (1, 0), "output_padding": (1, 0)}


def f(xa: mx.array, wa: mx.array) -> mx.array:
    return mx.conv_transpose2d(xa, wa, **kw)


def backward(gy: mx.array, xa: mx.array, wa: mx.array) -> list[mx.array]:
    return mx.vjp(f, [xa, wa], [gy])[1]


xa, wa = mx.array(x.astype(np.float32)), mx.array(w.astype(np.float32))
y = f(xa, wa)
gy = mx.array(rng.standard_normal(y.shape).astype(np.float32))
ddx, ddw = rng.standard_normal(x.shape), rng.standard_normal(w.shape)

# PyTorch float64: the same layer (NCHW, weight (I, O, kh, kw)), its create_graph backward and
# the vector-Jacobian product of that backward with the same cotangents.
xt = torch.tensor(x.transpose(0, 3, 1, 2), requires_grad=True)
wt = torch.tensor(w.transpose(3, 0, 1, 2), requires_grad=True)
gt = torch.tensor(np.array(gy, dtype=np.float64).transpose(0, 3, 1, 2), requires_grad=True)
yt = torch.nn.functional.conv_transpose2d(xt, wt, **kw)
dxt, dwt = torch.autograd.grad(yt, [xt, wt], gt, create_graph=True)
inner = (dxt * torch.tensor(ddx.transpose(0, 3, 1, 2))).sum()
inner = inner + (dwt * torch.tensor(ddw.transpose(3, 0, 1, 2))).sum()
want_gx = torch.autograd.grad(inner, [xt])[0].detach().numpy().transpose(0, 2, 3, 1)

dx, dw = backward(gy, xa, wa)
first_ok = dx.shape == xa.shape and np.allclose(
    np.array(dx), dxt.detach().numpy().transpose(0, 2, 3, 1), atol=1e-5
)
cot = [mx.array(ddx.astype(np.float32)), mx.array(ddw.astype(np.float32))]
_, (g_gy, g_x, g_w) = mx.vjp(backward, [gy, xa, wa], cot)
print(f"MLX {mx.__version__}: conv_transpose2d, x {x.shape}, w {w.shape}, {kw}")
print(f"first derivative dx: shape {dx.shape}, matches PyTorch: {first_ok}")
print(f"second order, x's cotangent: shape {g_x.shape}, expected {x.shape}")
right = g_x.shape == x.shape and np.allclose(np.array(g_x), want_gx, atol=1e-4)
print("right" if right else "WRONG: the second order's x cotangent does not have x's shape")

# The same geometry in 1-D and 3-D: x's cotangent of the second order must have x's shape.
ND = {  # op, x's shape, w's shape, stride, padding, output padding
    "conv_transpose1d": (mx.conv_transpose1d, (1, 1, 1), (1, 2, 1), 2, 1, 1),
    "conv_transpose3d": (
        mx.conv_transpose3d,
        (1, 1, 1, 1, 1),
        (1, 2, 1, 1, 1),
        (2, 1, 1),
        (1, 0, 0),
        (1, 0, 0),
    ),
}
for name, (op, shape, wshape, stride, pad, out_pad) in ND.items():
    xs, ws = mx.ones(shape), mx.ones(wshape)

    def layer(xa: mx.array, wa: mx.array, op=op, s=stride, p=pad, o=out_pad) -> mx.array:
        return op(xa, wa, stride=s, padding=p, output_padding=o)

    def grads(gy: mx.array, xa: mx.array, wa: mx.array, layer=layer) -> list[mx.array]:
        return mx.vjp(layer, [xa, wa], [gy])[1]

    gy = mx.ones(layer(xs, ws).shape)
    _, (_, gx, _) = mx.vjp(grads, [gy, xs, ws], [mx.ones(xs.shape), mx.ones(ws.shape)])
    print(f"{name}: x's cotangent {gx.shape}, expected {xs.shape}")
    right = right and gx.shape == xs.shape
sys.exit(0 if right else 1)
