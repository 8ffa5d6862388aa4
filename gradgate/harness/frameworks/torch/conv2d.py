"""`--framework torch --layer conv2d`: PyTorch's `torch.nn.functional.conv2d`, backward by
autograd.

Called the way users call it: NCHW tensors with canonical strides, weight (out, in // groups,
kh, kw), default backends, torch's activations.  PyTorch's padding is symmetric, so the rest of
an asymmetric padding is zeros added to the input first (`F.pad`), the same map.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from gradgate.harness.frameworks.torch.common import activation as torch_activation
from gradgate.harness.frameworks.torch.common import array, tensor
from gradgate.harness.frameworks.translations import fresh, nchw, nhwc, symmetric_part


def supports(cfg: Any) -> bool | str:
    return True


def _output(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor | None, cfg: Any) -> torch.Tensor:
    sym, (top, bottom, left, right) = symmetric_part(tuple(cfg.padding))
    if top or bottom or left or right:
        x = F.pad(x, (left, right, top, bottom))
    z = F.conv2d(
        x,
        w,
        b,
        stride=tuple(cfg.stride),
        padding=sym,
        dilation=tuple(cfg.dilation),
        groups=cfg.groups,
    )
    return torch_activation(cfg.activation, z)


def _weight(W: np.ndarray) -> np.ndarray:
    """(kh, kw, in // groups, out) -> (out, in // groups, kh, kw), a copy with canonical
    strides (`np.ascontiguousarray` keeps a one-element reversed view's negative strides,
    which `torch.from_numpy` refuses: the gate's layout checks found it here)."""
    return fresh(W.transpose(3, 2, 0, 1))


def forward(X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any) -> np.ndarray:
    with torch.no_grad():
        bt = None if b is None else tensor(b.copy())
        y = _output(tensor(nchw(X)), tensor(_weight(W)), bt, cfg)
    return nhwc(array(y))


def backward(
    dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    x = tensor(nchw(X)).requires_grad_()
    w = tensor(_weight(W)).requires_grad_()
    bt = None if b is None else tensor(b.copy()).requires_grad_()
    y = _output(x, w, bt, cfg)
    inputs = [x, w] if bt is None else [x, w, bt]
    grads = torch.autograd.grad(y, inputs, tensor(nchw(dY)))
    dW = fresh(array(grads[1]).transpose(2, 3, 1, 0))
    return nhwc(array(grads[0])), dW, None if bt is None else array(grads[2]).copy()
