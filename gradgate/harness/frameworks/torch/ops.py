"""PyTorch's own convolutions, every kind: `F.conv1d/2d/3d` and `F.conv_transpose1d/2d/3d`,
backward by autograd; each kind's module (`conv2d.py`, `deconv3d.py`, ...) is these functions.

Called the way users call them: channels-first tensors with canonical contiguous strides,
torch's weight layouts ((in, out / groups, *kernel) transposed, (out, in / groups, *kernel)
ordinary), default backends, torch's activations.  Padding is symmetric in PyTorch: for a
transposed convolution the rest of an asymmetric padding is cropped from the output, for an
ordinary one it is zeros added to the input first (`F.pad`); either is the same map.

Canonical strides matter: torch 2.13.0's float32 oneDNN weight gradient corrupts the heap for
1x1 kernels when a 1-channel input keeps channels-last strides (which `np.ascontiguousarray`
of a transposed array does); see docs/findings/torch.md.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from gradgate.harness.derivatives import A, B, Second, Tangent
from gradgate.harness.frameworks import torch_autodiff as autodiff
from gradgate.harness.frameworks.dtypes import unsupported_dtype
from gradgate.harness.frameworks.torch.common import activation as torch_activation
from gradgate.harness.frameworks.torch.common import array, tensor
from gradgate.harness.frameworks.translations import (
    crop,
    nchw,
    nhwc,
    symmetric_part,
    weight_from_in_out,
    weight_from_out_in,
    weight_in_out,
    weight_out_in,
)

Grads = tuple[np.ndarray, np.ndarray, "np.ndarray | None"]


def _transposed(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor | None, cfg: Any) -> Any:
    sym, rest = symmetric_part(tuple(cfg.padding))
    op = (F.conv_transpose1d, F.conv_transpose2d, F.conv_transpose3d)[x.dim() - 3]
    z = op(
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


def _direct(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor | None, cfg: Any) -> Any:
    sym, rest = symmetric_part(tuple(cfg.padding))
    nd = x.dim() - 2
    if any(rest):
        x = F.pad(x, [p for i in reversed(range(nd)) for p in rest[2 * i : 2 * i + 2]])
    op = (F.conv1d, F.conv2d, F.conv3d)[nd - 1]
    z = op(
        x,
        w,
        b,
        stride=tuple(cfg.stride),
        padding=sym,
        dilation=tuple(cfg.dilation),
        groups=cfg.groups,
    )
    return torch_activation(cfg.activation, z)


class Kind:
    """forward/backward/supports for one family: its torch op and weight layout."""

    def __init__(
        self,
        output: Callable[..., Any],
        to_torch: Callable[[np.ndarray], np.ndarray],
        from_torch: Callable[[np.ndarray], np.ndarray],
    ) -> None:
        self.output, self.to_torch, self.from_torch = output, to_torch, from_torch

    def supports(self, cfg: Any) -> bool | str:
        return unsupported_dtype(cfg, self.forward, self.backward, "torch") or True

    def forward(self, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any) -> np.ndarray:
        with torch.no_grad():
            bt = None if b is None else tensor(b.copy())
            y = self.output(tensor(nchw(X)), tensor(self.to_torch(W)), bt, cfg)
        return nhwc(array(y))

    def backward(
        self, dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any
    ) -> Grads:
        x = tensor(nchw(X)).requires_grad_()
        w = tensor(self.to_torch(W)).requires_grad_()
        bt = None if b is None else tensor(b.copy()).requires_grad_()
        y = self.output(x, w, bt, cfg)
        inputs = [x, w] if bt is None else [x, w, bt]
        grads = torch.autograd.grad(y, inputs, tensor(nchw(dY)))
        dX, dW = nhwc(array(grads[0])), self.from_torch(array(grads[1]))
        return dX, dW, None if bt is None else array(grads[2]).copy()

    def _tensors(self, X: np.ndarray, W: np.ndarray, b: np.ndarray | None) -> list[torch.Tensor]:
        out = [tensor(nchw(X)), tensor(self.to_torch(W))]
        return out if b is None else [*out, tensor(b.copy())]

    def _layer(self, cfg: Any) -> Callable[..., Any]:
        return lambda x, w, b=None: self.output(x, w, b, cfg)

    def jvp(self, tX: A, tW: A, tb: B, X: A, W: A, b: B, cfg: Any) -> Tangent:
        """torch's forward mode (dual tensors through the op's forward-mode formula)."""
        y, ty = autodiff.jvp(self._layer(cfg), self._tensors(X, W, b), self._tensors(tX, tW, tb))
        return nhwc(array(y)), nhwc(array(ty))

    def double_backward(self, ddX: A, ddW: A, ddb: B, dY: A, X: A, W: A, b: B, cfg: Any) -> Second:
        """autograd of torch's create_graph backward (the op's double-backward formula)."""
        found = autodiff.double_backward(
            self._layer(cfg),
            self._tensors(X, W, b),
            tensor(nchw(dY)),
            self._tensors(ddX, ddW, ddb),
        )
        gdY, gX, gW = nhwc(array(found[0])), nhwc(array(found[1])), self.from_torch(array(found[2]))
        return gdY, gX, gW, None if b is None else array(found[3]).copy()


TRANSPOSED = Kind(_transposed, weight_in_out, weight_from_in_out)
DIRECT = Kind(_direct, weight_out_in, weight_from_out_in)
