"""MLX: `mlx.core.conv_transpose2d`, backward by `mlx.core.vjp`, on MLX's CPU device.

Layout NHWC, weight (out, kh, kw, in / groups) (MLX's own), so W (kh, kw, in, out / groups)
becomes (out, kh, kw, in / groups): group j's input channels j*in/g.. and its output channels
j*out/g.. (`mlx_weight`; with groups = 1 a plain transpose).  Padding is symmetric in MLX, so
asymmetric padding is its symmetric part plus a crop of the rest (the same map).  Activations
are mlx.nn's.  Groups are gated like every other factor: MLX 0.32's `conv_transpose2d` takes
them and computes them (its docstring's "Only the default groups=1 is currently supported" is
stale; tests/frameworks/test_mlx_finding.py calls MLX directly with groups).  float64 arrays are
made with an explicit dtype (`mx.array` of a float64 numpy array gives float32); MLX then
refuses float64 convolutions with a stride or dilation > 1, which are `errored`, since
`supports(cfg)` does not see the dtype (see docs/findings/mlx.md).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gradgate.harness.frameworks.dtypes import unsupported_dtype
from gradgate.harness.frameworks.mlx.common import ACTIVATIONS, mx
from gradgate.harness.frameworks.translations import (
    as_float32_if_bf16,
    crop,
    fresh,
    in_dtype,
    symmetric_part,
)


def supports(cfg: Any) -> bool | str:
    return unsupported_dtype(cfg, forward, backward, "mlx") or True


def mlx_weight(W: np.ndarray, groups: int) -> np.ndarray:
    """gradgate's W (kh, kw, in, out / g) as MLX's weight (out, kh, kw, in / g)."""
    kh, kw, cin, og = W.shape
    grouped = W.reshape(kh, kw, groups, cin // groups, og)  # input channel j*in/g + i
    return grouped.transpose(2, 4, 0, 1, 3).reshape(groups * og, kh, kw, cin // groups)


def gradgate_weight(Wm: np.ndarray, groups: int) -> np.ndarray:
    """MLX's weight (out, kh, kw, in / g) back as gradgate's (kh, kw, in, out / g)."""
    cout, kh, kw, ig = Wm.shape
    grouped = Wm.reshape(groups, cout // groups, kh, kw, ig)  # output channel j*out/g + o
    return np.ascontiguousarray(
        grouped.transpose(2, 3, 0, 4, 1).reshape(kh, kw, groups * ig, cout // groups)
    )


def _layer(cfg: Any) -> Any:
    sym, rest = symmetric_part(tuple(cfg.padding))
    act = ACTIVATIONS[cfg.activation]

    def layer(x: Any, w: Any, b: Any = None) -> Any:
        z = mx.conv_transpose2d(
            x,
            w,
            stride=tuple(cfg.stride),
            padding=(sym[0], sym[1]),
            dilation=tuple(cfg.dilation),
            output_padding=tuple(cfg.output_padding),
            groups=cfg.groups,
        )
        z = crop(z, rest, h_axis=1)
        return act(z if b is None else z + b)

    return layer


def _arrays(X: np.ndarray, W: np.ndarray, b: np.ndarray | None, groups: int) -> list[Any]:
    arrays = [X, mlx_weight(W, groups)] + ([] if b is None else [b])
    # mx.array would turn float64 into float32: the dtype is given explicitly; bfloat16 goes
    # through float32 (exact), as MLX reads no ml_dtypes array.
    dtype = getattr(mx, X.dtype.name)
    return [
        mx.array(fresh(as_float32_if_bf16(a))).astype(dtype)
        if dtype == mx.bfloat16
        else mx.array(fresh(a), dtype=dtype)
        for a in arrays
    ]


def _numpy(a: Any, dtype: np.dtype[Any]) -> np.ndarray:
    """An MLX array's values as a numpy array of the case's dtype (bfloat16 through float32)."""
    if a.dtype == mx.bfloat16:
        a = a.astype(mx.float32)
    return in_dtype(np.array(a), dtype)


def forward(X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any) -> np.ndarray:
    return _numpy(_layer(cfg)(*_arrays(X, W, b, cfg.groups)), X.dtype)


def backward(
    dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    arrays = _arrays(X, W, b, cfg.groups)
    cotangent = mx.array(fresh(as_float32_if_bf16(dY))).astype(arrays[0].dtype)
    _, grads = mx.vjp(_layer(cfg), arrays, [cotangent])
    dX = _numpy(grads[0], X.dtype)
    dW = gradgate_weight(_numpy(grads[1], X.dtype), cfg.groups)
    return dX, dW, None if b is None else _numpy(grads[2], X.dtype)
