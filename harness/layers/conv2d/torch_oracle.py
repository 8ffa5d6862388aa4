"""Oracle 1 for Conv2D: PyTorch conv2d with autograd, in float64, in a formulation torch
computes on every configuration.

Layouts are translated (channels-last <-> NCHW, W (kh, kw, in // groups, out) <->
(out, in // groups, kh, kw)); the asymmetric input padding (top, bottom, left, right) is
applied with `F.pad` before an unpadded `conv2d`.

Why every leaf is copied into a fresh, default-strided (NCHW-contiguous) float64 tensor:
torch 2.13.0's float64 `conv2d` backward raises "slow_conv2d: grad_weight must be
contiguous" when the weight leaf is a permuted view of the channels-last numpy weight and the
input is a channels-last view too, with out_ch = 1, in_ch > 1, kh * kw > 1 and no dilation
(docs/findings/torch-conv2d-float64.md).  With contiguous leaves the same autograd graph is
computed on every configuration.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from harness.layers.conv2d.config import Conv2DConfigLike
from harness.oracles.torch_autograd import torch_activation


def torch_conv2d_forward(
    X: torch.Tensor, W: torch.Tensor, b: torch.Tensor | None, cfg: Conv2DConfigLike
) -> torch.Tensor:
    """Y in NCHW from X in NCHW and W in torch's (out, in // groups, kh, kw) layout."""
    top, bottom, left, right = cfg.padding
    if any(cfg.padding):
        X = F.pad(X, (left, right, top, bottom))
    z = F.conv2d(X, W, b, stride=tuple(cfg.stride), dilation=tuple(cfg.dilation), groups=cfg.groups)
    return torch_activation(cfg.activation, z)


def _leaf(arr: np.ndarray) -> torch.Tensor:
    """A float64 leaf that owns default (NCHW-contiguous) strides, never a view of numpy."""
    t = torch.tensor(np.array(arr, dtype=np.float64, order="C"))
    return t.contiguous(memory_format=torch.contiguous_format).requires_grad_()


def torch_conv2d_results(
    X: np.ndarray,
    W: np.ndarray,
    b: np.ndarray | None,
    dY: np.ndarray,
    cfg: Conv2DConfigLike,
) -> dict[str, np.ndarray]:
    """Y, dX, dW and (with bias) db of sum(dY * Y), in the contract's layouts, float64.

    X (n, in_h, in_w, in_ch), W (kh, kw, in_ch // groups, out_ch), b (out_ch,) or None and
    dY (n, out_h, out_w, out_ch) in any float dtype; every result is float64.
    """
    Xt = _leaf(X.transpose(0, 3, 1, 2))
    Wt = _leaf(W.transpose(3, 2, 0, 1))
    bt = None if b is None else _leaf(b)
    Y = torch_conv2d_forward(Xt, Wt, bt, cfg)
    if tuple(Y.shape) != (dY.shape[0], dY.shape[3], dY.shape[1], dY.shape[2]):
        raise ValueError(
            f"dY must have shape (n, out_h, out_w, out_ch) = "
            f"{(Y.shape[0], Y.shape[2], Y.shape[3], Y.shape[1])}, got {dY.shape}"
        )
    dYt = torch.tensor(np.array(dY.transpose(0, 3, 1, 2), dtype=np.float64, order="C"))
    inputs = [Xt, Wt] if bt is None else [Xt, Wt, bt]
    grads = torch.autograd.grad(Y, inputs, dYt)
    out = {
        "Y": Y.detach().numpy().transpose(0, 2, 3, 1),
        "dX": grads[0].numpy().transpose(0, 2, 3, 1),
        "dW": grads[1].numpy().transpose(2, 3, 1, 0),
    }
    if bt is not None:
        out["db"] = grads[2].numpy()
    return out
