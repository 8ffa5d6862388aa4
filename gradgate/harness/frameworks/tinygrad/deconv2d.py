"""tinygrad: `Tensor.conv_transpose2d`, backward by tinygrad's autodiff (`Tensor.gradient`).

Layout NCHW, weight (in, out / groups, kh, kw), as PyTorch.  Padding is tinygrad's native
explicit 4-tuple (left, right, top, bottom), so asymmetric padding goes in as it is; output
padding, dilation and groups are its own arguments.  Activations are tinygrad's
(`leaky_relu(0.01)`).  Its CPU device compiles kernels with clang (Debian's `clang`);
`DEV=PYTHON` selects its pure-Python emulator instead (slow).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from tinygrad import Tensor, dtypes

from gradgate.harness.frameworks.dtypes import unsupported_dtype
from gradgate.harness.frameworks.tinygrad.common import ACTIVATIONS
from gradgate.harness.frameworks.translations import (
    as_float32_if_bf16,
    in_dtype,
    nchw,
    nhwc,
    weight_from_in_out,
    weight_in_out,
)


def supports(cfg: Any) -> bool | str:
    return unsupported_dtype(cfg, forward, backward, "tinygrad") or True


def _output(x: Tensor, w: Tensor, b: Tensor | None, cfg: Any) -> Tensor:
    top, bottom, left, right = cfg.padding
    z = x.conv_transpose2d(
        w,
        b,
        groups=cfg.groups,
        stride=tuple(cfg.stride),
        dilation=tuple(cfg.dilation),
        padding=(left, right, top, bottom),
        output_padding=tuple(cfg.output_padding),
    )
    return ACTIVATIONS[cfg.activation](z)


def _tensor(a: np.ndarray) -> Tensor:
    """A tensor of `a`'s values; bfloat16 through float32 (exact), cast by tinygrad."""
    if a.dtype.name == "bfloat16":
        return Tensor(as_float32_if_bf16(a)).cast(dtypes.bfloat16)
    return Tensor(a)


def _numpy(t: Tensor, dtype: np.dtype[Any]) -> np.ndarray:
    if t.dtype == dtypes.bfloat16:
        t = t.cast(dtypes.float32)
    return in_dtype(t.numpy(), dtype)


def _tensors(X: np.ndarray, W: np.ndarray, b: np.ndarray | None) -> list[Tensor]:
    arrays = [nchw(X), weight_in_out(W)] + ([] if b is None else [b.copy()])
    return [_tensor(a) for a in arrays]


def forward(X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any) -> np.ndarray:
    x, w, *bt = _tensors(X, W, b)
    return nhwc(_numpy(_output(x, w, bt[0] if bt else None, cfg), X.dtype))


def backward(
    dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    tensors = _tensors(X, W, b)
    y = _output(tensors[0], tensors[1], tensors[2] if b is not None else None, cfg)
    grads = [_numpy(g, X.dtype) for g in y.gradient(*tensors, gradient=_tensor(nchw(dY)))]
    dX, dW = nhwc(grads[0]), weight_from_in_out(grads[1])
    return dX, dW, None if b is None else grads[2]
