"""tinygrad 0.14: Tensor.tanh loses relative accuracy near 0 (float32 and float64).

tanh is computed as 2 * sigmoid(2x) - 1, which cancels for small |x|: the relative error grows
like 1 / |x| ulps.  gradgate's bound allows a few ulps per activation, so tanh cases whose
outputs come close to 0 fail on torch:Y
(case n2-c4x8-g4-i3x4-k3x3-s2x2-p1.1.1.1-d1x1-op0x0-b0-tanh).
Framework only: tinygrad, numpy.  Run: python tinygrad_tanh_precision.py (exits 1 when off)
"""

import numpy as np
from tinygrad import Tensor

bad = False
for dtype, ulps in ((np.float32, 4), (np.float64, 4)):
    x = np.array([1e-2, 3e-3, 1e-3, 1e-4], dtype=dtype)
    got = Tensor(x).tanh().numpy().astype(np.float64)
    want = np.tanh(x.astype(np.float64))
    err_ulps = np.abs(got - want) / (np.abs(want) * np.finfo(dtype).eps)
    print(dtype.__name__, "error in ulps of tanh(x) for x =", x.tolist(), "->", err_ulps.round(1))
    bad |= bool((err_ulps > ulps).any())
raise SystemExit(1 if bad else 0)
