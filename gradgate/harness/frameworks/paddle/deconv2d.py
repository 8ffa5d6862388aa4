"""PaddlePaddle: `paddle.nn.functional.conv2d_transpose`, backward by `paddle.grad`.

Layout NCHW (Paddle's default), weight (in, out / groups, kh, kw).  Padding is Paddle's
native explicit [top, bottom, left, right], so asymmetric padding goes in as it is; output
padding, dilation and groups are its own arguments.  Activations are paddle.nn.functional's.
One CPU thread (`paddle.set_num_threads` is absent in some versions: OMP_NUM_THREADS then).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gradgate.harness.frameworks.dtypes import unsupported_dtype
from gradgate.harness.frameworks.paddle.common import ACTIVATIONS, F, paddle
from gradgate.harness.frameworks.translations import (
    as_float32_if_bf16,
    in_dtype,
    nchw,
    nhwc,
    weight_from_in_out,
    weight_in_out,
)


def supports(cfg: Any) -> bool | str:
    # Paddle documents the output size within [H', H' + stride): output padding < stride.
    if any(op >= s for op, s in zip(cfg.output_padding, cfg.stride)):
        return "Paddle's conv2d_transpose takes output_padding < stride only (its docs and checks)"
    return unsupported_dtype(cfg, forward, backward, f"paddle {paddle.__version__}") or True


def _output(x: Any, w: Any, b: Any, cfg: Any) -> Any:
    z = F.conv2d_transpose(
        x,
        w,
        b,
        stride=list(cfg.stride),
        padding=list(cfg.padding),
        output_padding=list(cfg.output_padding),
        groups=cfg.groups,
        dilation=list(cfg.dilation),
        data_format="NCHW",
    )
    return ACTIVATIONS[cfg.activation](z)


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


def _tensors(X: np.ndarray, W: np.ndarray, b: np.ndarray | None) -> list[Any]:
    arrays = [nchw(X), weight_in_out(W)] + ([] if b is None else [b.copy()])
    return [_tensor(a, stop_gradient=False) for a in arrays]


def forward(X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any) -> np.ndarray:
    t = _tensors(X, W, b)
    with paddle.no_grad():
        return nhwc(_array(_output(t[0], t[1], t[2] if b is not None else None, cfg), X.dtype))


def backward(
    dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    t = _tensors(X, W, b)
    y = _output(t[0], t[1], t[2] if b is not None else None, cfg)
    grads = [_array(g, X.dtype) for g in paddle.grad([y], t, [_tensor(nchw(dY))])]
    dX, dW = nhwc(grads[0]), weight_from_in_out(grads[1])
    return dX, dW, None if b is None else grads[2]
