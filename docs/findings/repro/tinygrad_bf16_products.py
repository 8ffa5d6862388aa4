"""tinygrad 0.14.0 (CPU device): a bfloat16 conv_transpose2d rounds every product to bfloat16
before summing in float32; float16 keeps its products exact.

Framework only: tinygrad (and numpy, ml_dtypes).  For each layer, Y computed by tinygrad is
compared with two models on the same bfloat16 (or float16) values: products exact and the sum
rounded once to the dtype (what oneDNN, XLA and a float32 accumulator do), and every product
rounded to the dtype, then summed exactly and rounded once.  The table gives each model's RMS
distance to tinygrad's Y, relative to the RMS error of the first model against the exact sum.
Exits 1 while bfloat16 matches the rounded-product model (float16 matches the exact one).

    python tinygrad_bf16_products.py
"""

import ml_dtypes
import numpy as np
from tinygrad import Tensor, dtypes

LAYERS = [  # (N, C_in, H, W), C_out, kernel, stride
    ((2, 512, 3, 3), 8, 1, 1),
    ((2, 64, 5, 5), 16, 3, 2),
    ((1, 257, 4, 4), 4, 4, 2),
]


def conv_transpose(P: np.ndarray, stride: int) -> np.ndarray:
    """sum over c of the products P[n, c, o, i, j, a, b], scattered to (i*stride+a, j*stride+b)."""
    n, _, o, h, w, k, _ = P.shape
    out = np.zeros((n, o, (h - 1) * stride + k, (w - 1) * stride + k))
    S = P.sum(axis=1)
    for a in range(k):
        for b in range(k):
            out[
                :, :, a : a + (h - 1) * stride + 1 : stride, b : b + (w - 1) * stride + 1 : stride
            ] += S[..., a, b]
    return out


def tiny(X: np.ndarray, W: np.ndarray, stride: int, dt) -> np.ndarray:
    x = Tensor(X.astype(np.float32)).cast(dt)  # exact: the values are the dtype's
    w = Tensor(W.astype(np.float32)).cast(dt)
    y = x.conv_transpose2d(w, stride=stride)
    return np.asarray((y.cast(dtypes.float32) if dt == dtypes.bfloat16 else y).numpy(), np.float64)


rng = np.random.default_rng(0)
rounded_in_bf16 = exact_in_f16 = True
print("dtype     layer (X, C_out, k, s)      exact-product model   rounded-product model")
for name, dt, npdt in (
    ("bfloat16", dtypes.bfloat16, ml_dtypes.bfloat16),
    ("float16", dtypes.float16, np.float16),
):
    for xs, co, k, s in LAYERS:
        X = rng.standard_normal(xs).astype(npdt).astype(np.float64)
        W = rng.standard_normal((xs[1], co, k, k)).astype(npdt).astype(np.float64)
        P = np.einsum("ncij,coab->ncoijab", X, W)
        exact = conv_transpose(P, s)
        once = exact.astype(npdt).astype(np.float64)
        per_product = (
            conv_transpose(P.astype(npdt).astype(np.float64), s).astype(npdt).astype(np.float64)
        )
        got = tiny(X, W, s, dt)
        scale = np.sqrt(((once - exact) ** 2).mean())
        d_once = np.sqrt(((got - once) ** 2).mean()) / scale
        d_prod = np.sqrt(((got - per_product) ** 2).mean()) / scale
        print(f"{name:9} {str(xs):16} {co:3} {k} {s}      {d_once:10.3f}            {d_prod:10.3f}")
        if name == "bfloat16":
            rounded_in_bf16 &= d_prod < 0.2 < d_once
        else:
            exact_in_f16 &= d_once < 0.2 < d_prod
raise SystemExit(1 if rounded_in_bf16 and exact_in_f16 else 0)
