"""torch 2.13.0: which conv2d configurations raise "slow_conv2d: grad_weight must be contiguous",
in float32 as in float64 (docs/findings/torch-conv2d-float64.md).

Framework only: torch, numpy.  96 configurations per dtype: in_ch 1-3, out_ch 1-2, kernel
1-2 x 1-2, dilation 1-2, X a channels-last view or NCHW-contiguous; W always an NCHW view of a
(kh, kw, in, out) array.  Prints how many raise and whether the page's conditions (out_ch 1,
in_ch > 1, kh * kw > 1, X a view, dilation 1) predict each one; exits 1 while any raises.
It runs torch's float32 convolution backward in this process: run it by hand, not in CI (see
/work/shared/known-defects/ for why this project keeps float32 convolution backwards apart).
Run: python torch_conv2d_grad_weight_contiguous_sweep.py
"""

import itertools

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
rng = np.random.default_rng(0)
raised_any = False
for dtype in ("float32", "float64"):
    raised, wrong = 0, []
    configs = itertools.product([1, 2, 3], [1, 2], [1, 2], [1, 2], [1, 2], [True, False])
    for cin, cout, kh, kw, dil, x_view in configs:
        X = torch.from_numpy(rng.standard_normal((1, 3, 3, cin)).astype(dtype)).permute(0, 3, 1, 2)
        W = torch.from_numpy(rng.standard_normal((kh, kw, cin, cout)).astype(dtype))
        W = W.permute(3, 2, 0, 1)
        X = (X if x_view else X.contiguous()).requires_grad_()
        W = W.requires_grad_()
        Y = F.conv2d(X, W, dilation=dil)
        try:
            torch.autograd.grad(Y, (X, W), torch.ones_like(Y))
            raises = False
        except RuntimeError as exc:
            raises = "grad_weight must be contiguous" in str(exc)
        raised += raises
        if raises != (cout == 1 and cin > 1 and kh * kw > 1 and x_view and dil == 1):
            wrong.append((cin, cout, kh, kw, dil, x_view, raises))
    print(f"{dtype}: 96 configurations, {raised} raise; the conditions mispredict {wrong}")
    raised_any |= raised > 0
raise SystemExit(1 if raised_any else 0)
