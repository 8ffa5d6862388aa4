"""PaddlePaddle's own convolutions, every kind, backward by `paddle.grad`; each kind's module
(`deconv2d.py`, `conv3d.py`, ...) is these functions.

Channels-first layouts (Paddle's default: "NCL", "NCHW", "NCDHW"), weight (in, out / groups,
*kernel) transposed and (out, in / groups, *kernel) ordinary.  Padding is Paddle's native
explicit list, before and after on each axis, so asymmetric padding goes in as it is; output
padding, dilation and groups are its own arguments.  Activations are paddle.nn.functional's.
One CPU thread (`paddle.set_num_threads` is absent in some versions: OMP_NUM_THREADS then).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from gradgate.harness.derivatives import A, B, DerivativeUnsupported, Second, Tangent
from gradgate.harness.frameworks.dtypes import unsupported_dtype
from gradgate.harness.frameworks.paddle.common import ACTIVATIONS, F, paddle
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

FORMATS: dict[int, Any] = {1: "NCL", 2: "NCHW", 3: "NCDHW"}  # paddle types each literal


def _transposed(x: Any, w: Any, b: Any, cfg: Any) -> Any:
    nd = len(x.shape) - 2
    op = (F.conv1d_transpose, F.conv2d_transpose, F.conv3d_transpose)[nd - 1]
    return op(
        x,
        w,
        b,
        stride=list(cfg.stride),
        padding=list(cfg.padding),
        output_padding=list(cfg.output_padding),
        groups=cfg.groups,
        dilation=list(cfg.dilation),
        data_format=FORMATS[nd],
    )


def _direct(x: Any, w: Any, b: Any, cfg: Any) -> Any:
    nd = len(x.shape) - 2
    op = (F.conv1d, F.conv2d, F.conv3d)[nd - 1]
    return op(
        x,
        w,
        b,
        stride=list(cfg.stride),
        padding=list(cfg.padding),
        dilation=list(cfg.dilation),
        groups=cfg.groups,
        data_format=FORMATS[nd],
    )


def _tensor(a: np.ndarray, stop_gradient: bool = True) -> Any:
    """A Paddle tensor of `a`'s values; bfloat16 through float32 (Paddle reads no ml_dtypes)."""
    if a.dtype.name == "bfloat16":
        t = paddle.to_tensor(as_float32_if_bf16(a)).astype("bfloat16")
        t.stop_gradient = stop_gradient
        return t
    return paddle.to_tensor(a, stop_gradient=stop_gradient)


def _array(t: Any, dtype: np.dtype[Any]) -> np.ndarray:
    if str(t.dtype).endswith("bfloat16"):
        t = t.astype("float32")
    return in_dtype(t.numpy(), dtype)


@contextlib.contextmanager
def refused_as_unsupported() -> Iterator[None]:
    """Paddle's refusal of a second order it does not have, in its own words, as
    `DerivativeUnsupported`: a kernel not registered for the device ("The kernel
    `conv2d_transpose_double_grad` is not registered") or an op without a grad op ("The Op
    depthwise_conv2d_transpose_grad doesn't have any grad op. If you don't intend calculating
    higher order derivatives, ..."); its jvp is a double vjp, so it needs them too.  Any other
    error stays the implementation's."""
    try:
        yield
    except RuntimeError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        unregistered = "double_grad" in first and "is not registered" in first
        no_grad_op = "doesn't have any grad op" in first and "higher order" in first
        if not (unregistered or no_grad_op):
            raise
        raise DerivativeUnsupported(
            f"Paddle {paddle.__version__} has no second order here: {first}"
        ) from exc


class Kind:
    """forward/backward/supports of the contract over one family's Paddle op."""

    def __init__(
        self,
        op: Callable[..., Any],
        to_paddle: Callable[[np.ndarray], np.ndarray],
        from_paddle: Callable[[np.ndarray], np.ndarray],
        transposed: bool,
    ) -> None:
        self.op, self.to_paddle, self.from_paddle = op, to_paddle, from_paddle
        self.transposed = transposed

    def supports(self, cfg: Any) -> bool | str:
        # Paddle documents the output size within [H', H' + stride): output padding < stride.
        if self.transposed and any(op >= s for op, s in zip(cfg.output_padding, cfg.stride)):
            nd = len(tuple(cfg.stride))
            return (
                f"Paddle's conv{nd}d_transpose takes output_padding < stride only "
                "(its docs and checks)"
            )
        return (
            unsupported_dtype(cfg, self.forward, self.backward, f"paddle {paddle.__version__}")
            or True
        )

    def _output(self, t: list[Any], with_bias: bool, cfg: Any) -> Any:
        z = self.op(t[0], t[1], t[2] if with_bias else None, cfg)
        return ACTIVATIONS[cfg.activation](z)

    def _tensors(self, X: np.ndarray, W: np.ndarray, b: np.ndarray | None) -> list[Any]:
        arrays = [nchw(X), self.to_paddle(W)] + ([] if b is None else [b.copy()])
        return [_tensor(a, stop_gradient=False) for a in arrays]

    def forward(self, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any) -> np.ndarray:
        t = self._tensors(X, W, b)
        with paddle.no_grad():
            return nhwc(_array(self._output(t, b is not None, cfg), X.dtype))

    def backward(
        self, dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        t = self._tensors(X, W, b)
        y = self._output(t, b is not None, cfg)
        grads = [_array(g, X.dtype) for g in paddle.grad([y], t, [_tensor(nchw(dY))])]
        dX, dW = nhwc(grads[0]), self.from_paddle(grads[1])
        return dX, dW, None if b is None else grads[2]

    def jvp(self, tX: A, tW: A, tb: B, X: A, W: A, b: B, cfg: Any) -> Tangent:
        """`paddle.incubate.autograd.jvp`: Paddle's forward mode (its beta API, in dynamic
        graphs computed as a double vjp)."""
        with_bias = b is not None

        def layer(*t: Any) -> Any:
            return self._output(list(t), with_bias, cfg)

        with refused_as_unsupported():
            y, ty = paddle.incubate.autograd.jvp(
                layer, self._tensors(X, W, b), self._tensors(tX, tW, tb)
            )
        return nhwc(_array(y, X.dtype)), nhwc(_array(ty, X.dtype))

    def double_backward(self, ddX: A, ddW: A, ddb: B, dY: A, X: A, W: A, b: B, cfg: Any) -> Second:
        """`paddle.grad` of a `create_graph=True` `paddle.grad`: Paddle's double grad."""
        t = self._tensors(X, W, b)
        dy = _tensor(nchw(dY), stop_gradient=False)
        y = self._output(t, b is not None, cfg)
        cotangents = self._tensors(ddX, ddW, ddb)
        with refused_as_unsupported():
            grads = paddle.grad([y], t, [dy], create_graph=True)
            found = paddle.grad(grads, [dy, *t], cotangents, allow_unused=True)
        out = [
            np.zeros(s.shape, X.dtype) if g is None else _array(g, X.dtype)
            for g, s in zip(
                found, [nchw(dY), nchw(X), self.to_paddle(W), *([] if b is None else [b])]
            )
        ]
        return nhwc(out[0]), nhwc(out[1]), self.from_paddle(out[2]), None if b is None else out[3]


TRANSPOSED = Kind(_transposed, weight_in_out, weight_from_in_out, transposed=True)
DIRECT = Kind(_direct, weight_out_in, weight_from_out_in, transposed=False)
