"""tinygrad's own convolutions, every kind: `Tensor.conv2d` and `Tensor.conv_transpose2d`, which
take any number of spatial axes despite their names, backward by tinygrad's autodiff
(`Tensor.gradient`); each kind's module (`deconv2d.py`, `conv1d.py`, ...) is these functions.

Channels-first layouts, weight (in, out / groups, *kernel) transposed and (out, in / groups,
*kernel) ordinary, as PyTorch.  Padding is tinygrad's native explicit tuple, (before, after)
per axis from the last axis to the first ((left, right, top, bottom) in 2-D), so asymmetric
padding goes in as it is; output padding, dilation and groups are its own arguments.
Activations are tinygrad's (`leaky_relu(0.01)`).  Its CPU device compiles kernels with clang
(Debian's `clang`); `DEV=PYTHON` selects its pure-Python emulator instead (slow).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from tinygrad import Tensor, dtypes

from gradgate.harness.derivatives import A, B, DerivativeUnsupported, Second, Tangent
from gradgate.harness.frameworks.dtypes import unsupported_dtype
from gradgate.harness.frameworks.tinygrad.common import ACTIVATIONS
from gradgate.harness.frameworks.translations import (
    as_float32_if_bf16,
    in_dtype,
    nchw,
    nhwc,
    weight_from_in_out,
    weight_from_out_in,
    weight_in_out,
    weight_out_in,
)


def _padding(cfg: Any) -> tuple[int, ...]:
    """tinygrad's order: (before, after) from the last spatial axis to the first."""
    pad = tuple(cfg.padding)
    return tuple(p for i in reversed(range(len(pad) // 2)) for p in pad[2 * i : 2 * i + 2])


def _transposed(x: Tensor, w: Tensor, b: Tensor | None, cfg: Any) -> Tensor:
    return x.conv_transpose2d(
        w,
        b,
        groups=cfg.groups,
        stride=tuple(cfg.stride),
        dilation=tuple(cfg.dilation),
        padding=_padding(cfg),
        output_padding=tuple(cfg.output_padding),
    )


def _direct(x: Tensor, w: Tensor, b: Tensor | None, cfg: Any) -> Tensor:
    return x.conv2d(
        w,
        b,
        groups=cfg.groups,
        stride=tuple(cfg.stride),
        dilation=tuple(cfg.dilation),
        padding=_padding(cfg),
    )


def _tensor(a: np.ndarray) -> Tensor:
    """A tensor of `a`'s values; bfloat16 through float32 (exact), cast by tinygrad."""
    if a.dtype.name == "bfloat16":
        return Tensor(as_float32_if_bf16(a)).cast(dtypes.bfloat16)
    return Tensor(a)


def _numpy(t: Tensor, dtype: np.dtype[Any]) -> np.ndarray:
    if t.dtype == dtypes.bfloat16:
        t = t.cast(dtypes.float32)
    return in_dtype(t.numpy(), dtype)


class Kind:
    """forward/backward/supports of the contract over one family's tinygrad op."""

    def __init__(
        self,
        op: Callable[..., Tensor],
        to_tinygrad: Callable[[np.ndarray], np.ndarray],
        from_tinygrad: Callable[[np.ndarray], np.ndarray],
    ) -> None:
        self.op, self.to_tinygrad, self.from_tinygrad = op, to_tinygrad, from_tinygrad

    def supports(self, cfg: Any) -> bool | str:
        return unsupported_dtype(cfg, self.forward, self.backward, "tinygrad") or True

    def _output(self, t: list[Tensor], with_bias: bool, cfg: Any) -> Tensor:
        return ACTIVATIONS[cfg.activation](self.op(t[0], t[1], t[2] if with_bias else None, cfg))

    def _tensors(self, X: np.ndarray, W: np.ndarray, b: np.ndarray | None) -> list[Tensor]:
        arrays = [nchw(X), self.to_tinygrad(W)] + ([] if b is None else [b.copy()])
        return [_tensor(a) for a in arrays]

    def forward(self, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any) -> np.ndarray:
        return nhwc(_numpy(self._output(self._tensors(X, W, b), b is not None, cfg), X.dtype))

    def backward(
        self, dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        tensors = self._tensors(X, W, b)
        y = self._output(tensors, b is not None, cfg)
        grads = [_numpy(g, X.dtype) for g in y.gradient(*tensors, gradient=_tensor(nchw(dY)))]
        dX, dW = nhwc(grads[0]), self.from_tinygrad(grads[1])
        return dX, dW, None if b is None else grads[2]

    def jvp(self, tX: A, tW: A, tb: B, X: A, W: A, b: B, cfg: Any) -> Tangent:
        """tinygrad has no forward mode: its autodiff is `Tensor.gradient` / `backward` only."""
        raise DerivativeUnsupported(
            "tinygrad has no forward-mode autodiff (its API differentiates in reverse mode "
            "only: Tensor.gradient, Tensor.backward)"
        )

    def double_backward(self, ddX: A, ddW: A, ddb: B, dY: A, X: A, W: A, b: B, cfg: Any) -> Second:
        """`Tensor.gradient` of `Tensor.gradient`: tinygrad's gradients are tensors of the
        same graph, so they differentiate again."""
        tensors = self._tensors(X, W, b)
        dy = _tensor(nchw(dY))
        grads = self._output(tensors, b is not None, cfg).gradient(*tensors, gradient=dy)
        cotangents = self._tensors(ddX, ddW, ddb)
        inner = sum(((g * c).sum() for g, c in zip(grads, cotangents)), Tensor(0.0))
        found = [_numpy(g, X.dtype) for g in inner.gradient(dy, *tensors)]
        gW = self.from_tinygrad(found[2])
        return nhwc(found[0]), nhwc(found[1]), gW, None if b is None else found[3]


TRANSPOSED = Kind(_transposed, weight_in_out, weight_from_in_out)
DIRECT = Kind(_direct, weight_out_in, weight_from_out_in)
