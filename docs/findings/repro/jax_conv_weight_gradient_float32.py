"""JAX 0.10.2 (jaxlib CPU): wrong float32 kernel gradient of a 1x1 transposed convolution
whose explicit padding is negative on one side.

Found by gradgate on case n2-c2x4-g1-i4x5-k1x1-s1x1-p0.2.1.0-d2x2-op1x1-b0-tanh-f32 (its
float64 twin passes): `jax.lax.conv_transpose` with a 1x1 kernel, stride 1 and padding
((0, -1), (-1, 1)) (PyTorch's terms: crop 0/2 rows and 1/0 cols, output padding 1x1).
Smallest found: X (1, 4, 5, 2), a 1x1 kernel from 2 to 4 channels, padding ((0, 0), (-1, 1))
(a one-column shift); not with 1 channel in and out.
The forward is right; the vjp's kernel gradient is off in float32 and right in float64.
Framework only: jax, numpy.  Run: python jax_conv_weight_gradient_float32.py (exits 1 when off)
"""

import jax
import numpy as np

jax.config.update("jax_enable_x64", True)
rng = np.random.default_rng(0)
x64 = rng.uniform(-1, 1, (1, 4, 5, 2))  # NHWC
w64 = rng.uniform(-1, 1, (1, 1, 2, 4))  # (kh, kw, in, out), given as the forward conv's HWOI
pads = ((0, 0), (-1, 1))  # crop one column on the left, add one on the right


def layer(x, w):
    dn = ("NHWC", "HWOI", "NHWC")
    return jax.lax.conv_transpose(x, w, (1, 1), pads, dimension_numbers=dn, transpose_kernel=True)


def expected_dw(x, w, dy):
    """A 1x1 kernel, stride 1: y[n, i, j] = x[n, i, j + 1] @ w, and 0 in the last column."""
    h, wd = dy.shape[1], dy.shape[2]
    xs = np.zeros((x.shape[0], h, wd, x.shape[3]))
    xs[:, :h, : wd - 1] = x[:, :h, 1:wd]  # padding ((0, 0), (-1, 1)): a shift by one column
    return np.einsum("nhwc,nhwo->co", xs, dy)[None, None]


bad = False
for dtype in (np.float64, np.float32):
    x, w = x64.astype(dtype), w64.astype(dtype)
    y, vjp = jax.vjp(layer, x, w)
    dy = rng.uniform(-1, 1, y.shape).astype(dtype)
    _, dw = vjp(dy)
    err = float(
        np.abs(np.asarray(dw, np.float64) - expected_dw(x64, w64, dy.astype(np.float64))).max()
    )
    print(f"{np.dtype(dtype).name}: y {y.shape}, max |dW - exact| = {err:.3g}")
    bad |= err > (1e-4 if dtype == np.float32 else 1e-12)
raise SystemExit(1 if bad else 0)
