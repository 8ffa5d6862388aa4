"""Oracle 1: PyTorch ConvTranspose2d with autograd, in float64.

Layouts are translated (channels-last <-> NCHW, W (kh, kw, in, out/g) <-> (in, out/g, kh, kw));
asymmetric padding is applied by cropping the padding-free output, which is exactly what
PyTorch's symmetric `padding` does on both sides.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from cases.case import Case
from harness.data import CaseData


def torch_activation(name: str, z: torch.Tensor) -> torch.Tensor:
    if name == "identity":
        return z
    if name == "relu":
        return F.relu(z)
    if name == "leaky_relu":
        return F.leaky_relu(z, negative_slope=0.01)
    if name == "tanh":
        return torch.tanh(z)
    if name == "sigmoid":
        return torch.sigmoid(z)
    raise ValueError(f"unknown activation {name!r}")


def torch_forward(
    X: torch.Tensor, W: torch.Tensor, b: torch.Tensor | None, case: Case
) -> torch.Tensor:
    """Y in NCHW from X in NCHW and W in torch's (in, out/groups, kh, kw) layout."""
    z = F.conv_transpose2d(
        X,
        W,
        b,
        stride=case.stride,
        padding=0,
        output_padding=case.output_padding,
        groups=case.groups,
        dilation=case.dilation,
    )
    top, bottom, left, right = case.padding
    z = z[:, :, top : z.shape[2] - bottom, left : z.shape[3] - right]
    return torch_activation(case.activation, z)


def _leaf(arr: np.ndarray) -> torch.Tensor:
    """A float64 leaf tensor with default strides (torch's backward kernels expect them)."""
    return torch.tensor(np.ascontiguousarray(arr, dtype=np.float64)).contiguous().requires_grad_()


def torch_results(case: Case, data: CaseData) -> dict[str, np.ndarray]:
    """Y, dX, dW and (with bias) db in the contract's layouts, float64."""
    X = _leaf(data.X.transpose(0, 3, 1, 2))
    W = _leaf(data.W.transpose(2, 3, 0, 1))
    b = None if data.b is None else torch.tensor(data.b, dtype=torch.float64, requires_grad=True)
    Y = torch_forward(X, W, b, case)
    dY = torch.tensor(np.ascontiguousarray(data.dY.transpose(0, 3, 1, 2)), dtype=torch.float64)
    inputs = [X, W] if b is None else [X, W, b]
    grads = torch.autograd.grad(Y, inputs, dY)
    out = {
        "Y": Y.detach().numpy().transpose(0, 2, 3, 1),
        "dX": grads[0].numpy().transpose(0, 2, 3, 1),
        "dW": grads[1].numpy().transpose(2, 3, 0, 1),
    }
    if b is not None:
        out["db"] = grads[2].numpy()
    return out
