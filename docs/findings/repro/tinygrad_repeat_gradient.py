"""tinygrad 0.14 (CPU, clang): an input gradient that should be all zeros comes back with
garbage on repeated calls.

Geometry (found by gradgate on case n3-c2x6-g2-i1x1-k2x1-s1x2-p1.1.0.0-d3x1-op0x1-b1-relu,
both dtypes): a 1x1 input, kernel height 2 with dilation 3 puts the two taps on output rows
0 and 3, and padding 1 crops both: no output depends on X, so dX is exactly 0 (torch agrees).
tinygrad returns 0 on the first backward, then non-zero values on later identical calls, as
if the gradient buffer were reused without being zeroed.  Framework only: tinygrad, numpy.
Run: python tinygrad_repeat_gradient.py  (exits 1 when a call returns a non-zero dX)
"""

import numpy as np
from tinygrad import Tensor

rng = np.random.default_rng(0)
x = rng.uniform(-1, 1, (3, 2, 1, 1))  # NCHW: batch 3, 2 channels, a 1x1 image
w = rng.uniform(-1, 1, (2, 3, 2, 1))  # (in, out / groups, kh, kw), groups 2 -> 6 outputs
b = rng.uniform(-1, 1, (6,))
conv = dict(groups=2, stride=(1, 2), dilation=(3, 1), padding=(1, 0), output_padding=(0, 1))
dy = rng.uniform(-1, 1, (3, 6, 2, 2))

worst = []
for _ in range(6):
    xt, wt, bt = Tensor(x), Tensor(w), Tensor(b)
    y = xt.conv_transpose2d(wt, bt, **conv).relu()
    dx, dw, db = (g.numpy() for g in y.gradient(xt, wt, bt, gradient=Tensor(dy)))
    worst.append(float(np.abs(dx).max()))
print("max |dX| per call (exact answer 0):", worst)
raise SystemExit(1 if any(worst) else 0)
