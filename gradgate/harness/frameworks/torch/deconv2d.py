"""PyTorch: `torch.nn.functional.conv_transpose2d`, backward by autograd.

Called the way users call it: NCHW tensors with canonical contiguous strides, weight
(in, out / groups, kh, kw), default backends.  Padding is symmetric in PyTorch, so asymmetric
padding is its symmetric part plus a crop of the rest (the same map).  Activations are torch's.

Canonical strides matter: torch 2.13.0's float32 oneDNN weight gradient corrupts the heap for
1x1 kernels when a 1-channel input keeps channels-last strides (which `np.ascontiguousarray`
of a transposed array does); see docs/findings/torch.md.  Every case of the grids runs here
without reaching it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from gradgate.harness.frameworks.dtypes import unsupported_dtype
from gradgate.harness.frameworks.torch.common import activation as torch_activation
from gradgate.harness.frameworks.torch.common import array, tensor
from gradgate.harness.frameworks.translations import (
    crop,
    nchw,
    nhwc,
    symmetric_part,
    weight_from_in_out,
    weight_in_out,
)


def supports(cfg: Any) -> bool | str:
    return unsupported_dtype(cfg, forward, backward, "torch") or True


def _leaf(a: np.ndarray) -> torch.Tensor:
    return tensor(a).requires_grad_()


def _output(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor | None, cfg: Any) -> torch.Tensor:
    sym, rest = symmetric_part(tuple(cfg.padding))
    z = F.conv_transpose2d(
        x,
        w,
        b,
        stride=tuple(cfg.stride),
        padding=sym,
        output_padding=tuple(cfg.output_padding),
        groups=cfg.groups,
        dilation=tuple(cfg.dilation),
    )
    return torch_activation(cfg.activation, crop(z, rest, h_axis=2))


def forward(X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any) -> np.ndarray:
    with torch.no_grad():
        bt = None if b is None else tensor(b.copy())
        y = _output(tensor(nchw(X)), tensor(weight_in_out(W)), bt, cfg)
    return nhwc(array(y))


def backward(
    dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    x, w = _leaf(nchw(X)), _leaf(weight_in_out(W))
    bt = None if b is None else _leaf(b.copy())
    y = _output(x, w, bt, cfg)
    inputs = [x, w] if bt is None else [x, w, bt]
    grads = torch.autograd.grad(y, inputs, tensor(nchw(dY)))
    dX, dW = nhwc(array(grads[0])), weight_from_in_out(array(grads[1]))
    return dX, dW, None if bt is None else array(grads[2]).copy()
