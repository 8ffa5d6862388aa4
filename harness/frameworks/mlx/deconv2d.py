"""MLX: `mlx.core.conv_transpose2d`, backward by `mlx.core.vjp`, on MLX's CPU device.

Layout NHWC, weight (out, kh, kw, in / groups) (MLX's own), so W (kh, kw, in, out) is
transposed to (out, kh, kw, in).  Padding is symmetric in MLX, so asymmetric padding is its
symmetric part plus a crop of the rest (the same map).  Activations are mlx.nn's.
What MLX documents it cannot do is `unsupported`: groups > 1 ("Only the default groups=1 is
currently supported").  float64 arrays are made with an explicit dtype (`mx.array` of a
float64 numpy array gives float32); MLX then refuses float64 convolutions with a stride or
dilation > 1, which are `errored`, since `supports(cfg)` does not see the dtype (see
docs/findings/mlx.md).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from harness.frameworks.mlx.common import ACTIVATIONS, mx
from harness.frameworks.translations import crop, fresh, symmetric_part


def supports(cfg: Any) -> bool | str:
    if cfg.groups != 1:
        return "mlx.core.conv_transpose2d: only the default groups=1 is supported (its docs)"
    return True


def _layer(cfg: Any) -> Any:
    sym, rest = symmetric_part(tuple(cfg.padding))
    act = ACTIVATIONS[cfg.activation]

    def layer(x: Any, w: Any, b: Any = None) -> Any:
        z = mx.conv_transpose2d(
            x,
            w,
            stride=tuple(cfg.stride),
            padding=sym,
            dilation=tuple(cfg.dilation),
            output_padding=tuple(cfg.output_padding),
            groups=cfg.groups,
        )
        z = crop(z, rest, h_axis=1)
        return act(z if b is None else z + b)

    return layer


def _arrays(X: np.ndarray, W: np.ndarray, b: np.ndarray | None) -> list[Any]:
    arrays = [X, W.transpose(3, 0, 1, 2)] + ([] if b is None else [b])
    # mx.array would turn float64 into float32: the dtype is given explicitly.
    dtype = mx.float64 if X.dtype == np.float64 else mx.float32
    return [mx.array(fresh(a), dtype=dtype) for a in arrays]


def forward(X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any) -> np.ndarray:
    return np.array(_layer(cfg)(*_arrays(X, W, b)))


def backward(
    dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    arrays = _arrays(X, W, b)
    _, grads = mx.vjp(_layer(cfg), arrays, [mx.array(fresh(dY), dtype=arrays[0].dtype)])
    dX, dWt = np.array(grads[0]), np.array(grads[1])
    dW = np.ascontiguousarray(dWt.transpose(1, 2, 3, 0))
    return dX, dW, None if b is None else np.array(grads[2])
