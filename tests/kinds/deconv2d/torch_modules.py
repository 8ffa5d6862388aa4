"""Torch layers written as a team would: a custom autograd.Function with a hand-written backward,
wrapped in an nn.Module with nn.ConvTranspose2d's constructor.  One is correct; the other has
a deliberate bug in its weight gradient.  The harness must pass the first and fail the second.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from torch.autograd.function import once_differentiable
from torch.nn.grad import conv2d_weight


class ConvTranspose2dFunction(torch.autograd.Function):
    """conv_transpose2d with its backward written out: the adjoint is an ordinary conv2d."""

    weight_bug = 1.0  # the weight gradient is scaled by this (1.0: correct)

    @staticmethod
    def forward(ctx: Any, x, weight, bias, stride, padding, output_padding, groups, dilation):  # type: ignore[no-untyped-def, override]
        ctx.save_for_backward(x, weight)
        ctx.conf = (stride, padding, groups, dilation)
        return F.conv_transpose2d(
            x, weight, bias, stride, padding, output_padding, groups, dilation
        )

    @classmethod
    def backward(cls, ctx: Any, grad_out: torch.Tensor):  # type: ignore[no-untyped-def, override]
        x, weight = ctx.saved_tensors
        stride, padding, groups, dilation = ctx.conf
        # The adjoint is a conv2d of grad_out with the same kernel ((in, out/g) read as conv2d's
        # (out, in/g)), over the window of the full output that the inputs reach: pad the
        # cropped rows back on top/left, and pad or trim the bottom/right to that window.
        sizes = []
        for n, s, p, d, k, have in zip(
            x.shape[2:],
            _pair(stride),
            _pair(padding),
            _pair(dilation),
            weight.shape[2:],
            grad_out.shape[2:],
        ):
            sizes.append((p, (n - 1) * s + (k - 1) * d + 1 - (have + p)))
        (top, bottom), (left, right) = sizes
        g = F.pad(grad_out, (left, right, top, bottom))
        grad_x = F.conv2d(g, weight, None, stride, 0, dilation, groups)
        grad_w = conv2d_weight(g, weight.shape, x, stride, 0, dilation, groups)
        grad_b = grad_out.sum(dim=(0, 2, 3)) if ctx.needs_input_grad[2] else None
        return grad_x, grad_w * cls.weight_bug, grad_b, None, None, None, None, None


def _pair(v: Any) -> tuple[int, int]:
    return (v, v) if isinstance(v, int) else tuple(v)  # type: ignore[return-value]


class WeightGradBugFunction(ConvTranspose2dFunction):
    weight_bug = 1.0 + 1e-3


class GoodConvTranspose2d(nn.Module):
    function: type[ConvTranspose2dFunction] = ConvTranspose2dFunction

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: tuple[int, int],
        stride: Any = 1,
        padding: Any = 0,
        output_padding: Any = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: Any = 1,
    ) -> None:
        super().__init__()
        kh, kw = kernel_size
        self.conf = (stride, padding, output_padding, groups, dilation)
        self.weight = nn.Parameter(torch.randn(in_channels, out_channels // groups, kh, kw))
        self.bias = nn.Parameter(torch.zeros(out_channels)) if bias else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.function.apply(x, self.weight, self.bias, *self.conf)


class BuggyConvTranspose2d(GoodConvTranspose2d):
    function = WeightGradBugFunction


class OnceDifferentiableFunction(ConvTranspose2dFunction):
    """The same hand-written backward, marked @once_differentiable (as kernels that leave
    autograd often are): torch gives it no second order."""

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, grad_out: torch.Tensor):  # type: ignore[no-untyped-def, override]
        return ConvTranspose2dFunction.backward.__func__(ConvTranspose2dFunction, ctx, grad_out)  # type: ignore[attr-defined]


class OnceDifferentiableConvTranspose2d(GoodConvTranspose2d):
    """A module whose Function's backward is @once_differentiable."""

    function = OnceDifferentiableFunction
