"""A correct implementation of the contract computed by torch, in the case's own dtype.

A second, independent correct implementation (different summation order, float32 kernels for
float32 cases): the oracles must pass it as they pass the reference.  In-process tests run it
with oneDNN off (conftest.py): PyTorch 2.13.0's float32 oneDNN weight gradient corrupts the heap
on some configurations (docs/findings/torch.md), which
`tests.kinds.deconv2d.torch_backed_impl:channels_last`
walks into and tests/gate/test_crashes.py runs in a subprocess.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

_ACT = {
    "identity": lambda z: z,
    "relu": F.relu,
    "leaky_relu": lambda z: F.leaky_relu(z, 0.01),
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
}


def _c_order(arr: np.ndarray) -> np.ndarray:
    """A fresh C-ordered copy: torch.from_numpy rejects negative strides, which
    np.ascontiguousarray keeps on arrays of one element (found by the layout checks)."""
    return np.array(arr, order="C", copy=True)


def _run(X, W, b, cfg, dY=None, as_nchw=None):  # type: ignore[no-untyped-def]
    as_nchw = as_nchw or (lambda a: torch.from_numpy(_c_order(a)))
    Xt = as_nchw(X.transpose(0, 3, 1, 2)).requires_grad_()
    Wt = torch.from_numpy(_c_order(W.transpose(2, 3, 0, 1))).requires_grad_()
    bt = None if b is None else torch.from_numpy(_c_order(b)).requires_grad_()
    z = F.conv_transpose2d(
        Xt,
        Wt,
        bt,
        stride=tuple(cfg.stride),
        output_padding=tuple(cfg.output_padding),
        groups=cfg.groups,
        dilation=tuple(cfg.dilation),
    )
    t, bo, left, r = cfg.padding
    z = z[:, :, t : z.shape[2] - bo, left : z.shape[3] - r]
    y = _ACT[cfg.activation](z)
    if dY is None:
        return y.detach().numpy().transpose(0, 2, 3, 1).copy()
    g = torch.from_numpy(_c_order(dY.transpose(0, 3, 1, 2)))
    inputs = [Xt, Wt] if bt is None else [Xt, Wt, bt]
    grads = torch.autograd.grad(y, inputs, g)
    dX = grads[0].numpy().transpose(0, 2, 3, 1).copy()
    dW = grads[1].numpy().transpose(2, 3, 0, 1).copy()
    return dX, dW, None if bt is None else grads[2].numpy().copy()


def forward(X, W, b, cfg):  # type: ignore[no-untyped-def]
    return _run(X, W, b, cfg)


def backward(dY, X, W, b, cfg):  # type: ignore[no-untyped-def]
    return _run(X, W, b, cfg, dY)


def _channels_last(arr: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(_c_order(arr)).to(memory_format=torch.channels_last)


class channels_last:  # noqa: N801 (named as the spec reads: tests.kinds.deconv2d.torch_backed_impl:channels_last)
    """The same with a channels-last input, as users of torch.channels_last run it: that takes
    torch into the defective oneDNN kernel (float32, 1x1 kernel, stride > 1, few channels)."""

    @staticmethod
    def forward(X, W, b, cfg):  # type: ignore[no-untyped-def]
        return _run(X, W, b, cfg, as_nchw=_channels_last)

    @staticmethod
    def backward(dY, X, W, b, cfg):  # type: ignore[no-untyped-def]
        return _run(X, W, b, cfg, dY, as_nchw=_channels_last)
