"""torch 2.13.0: float64 conv2d backward raises "slow_conv2d: grad_weight must be contiguous".

Standalone (torch and numpy only).  Prints what happens for the smallest configuration and
for the same data in the formulation gradgate's oracle uses; exits 1 while the defect is
there (0 once torch computes the gradient of the views).
docs/findings/torch-conv2d-float64.md explains the conditions.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

# Channels-last arrays, as a channels-last library holds them: X (n, h, w, in_ch) and
# W (kh, kw, in_ch, out_ch), with out_ch = 1, in_ch = 2 and a 1x2 kernel.
X_nhwc = np.ones((1, 1, 2, 2))
W_hwio = np.ones((1, 2, 2, 1))


def grads(X: torch.Tensor, W: torch.Tensor) -> str:
    X.requires_grad_()
    W.requires_grad_()
    Y = F.conv2d(X, W)
    try:
        gX, gW = torch.autograd.grad(Y, (X, W), torch.ones_like(Y))
    except RuntimeError as e:
        return f"RuntimeError: {e}"
    return f"ok, dW = {gW.flatten().tolist()}"


print("torch", torch.__version__)
# NCHW *views* of the channels-last arrays: W's strides are (1, 1, 4, 2)
views = grads(
    torch.from_numpy(X_nhwc).permute(0, 3, 1, 2), torch.from_numpy(W_hwio).permute(3, 2, 0, 1)
)
print("views of the numpy arrays:   ", views)
# the same values copied into default-strided tensors (gradgate/harness/oracles/torch_autograd.py)
copies = grads(
    torch.from_numpy(X_nhwc).permute(0, 3, 1, 2).contiguous(),
    torch.from_numpy(W_hwio).permute(3, 2, 0, 1).contiguous(),
)
print("default-strided copies:      ", copies)
print("REPRODUCED" if views.startswith("RuntimeError") else "not reproduced on this torch")
raise SystemExit(1 if views.startswith("RuntimeError") else 0)
