"""MLX's own convolutions, every kind, backward by `mlx.core.vjp` on MLX's CPU device; each
kind's module (`deconv2d.py`, `conv1d.py`, ...) is these functions.

Channels-last arrays; MLX's weight is (out, *kernel, in / groups) for both families, so the
contract's W is laid out per group (`mlx_weight`): for a transposed convolution group j's input
channels j*in/g.. and output channels j*out/g.. (with groups = 1 a plain transpose), for an
ordinary one a transpose.  Padding is symmetric in MLX: a transposed convolution's rest is
cropped from its output, an ordinary one's added to its input as zeros (`mx.pad`); either is
the same map.  Activations are mlx.nn's.  float64 arrays are made with an explicit dtype
(`mx.array` of a float64 numpy array gives float32); MLX then refuses some float64
convolutions, which are `errored`, since `supports(cfg)` does not see the dtype (see
docs/findings/mlx.md).  Its 3-D ops refuse groups > 1 (as their docstrings say): `unsupported`.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from gradgate.harness.derivatives import A, B, DerivativeUnsupported, Second, Tangent
from gradgate.harness.frameworks.dtypes import unsupported_dtype
from gradgate.harness.frameworks.mlx.common import ACTIVATIONS, mx
from gradgate.harness.frameworks.translations import (
    as_float32_if_bf16,
    crop,
    fresh,
    in_dtype,
    symmetric_part,
)


def mlx_weight(W: np.ndarray, groups: int) -> np.ndarray:
    """A transposed convolution's W (*kernel, in, out / g) as MLX's (out, *kernel, in / g)."""
    nd = W.ndim - 2
    *kernel, cin, og = W.shape
    grouped = W.reshape(*kernel, groups, cin // groups, og)  # input channel j*in/g + i
    order = (nd, nd + 2, *range(nd), nd + 1)
    return grouped.transpose(order).reshape(groups * og, *kernel, cin // groups)


def gradgate_weight(Wm: np.ndarray, groups: int) -> np.ndarray:
    """MLX's weight (out, *kernel, in / g) back as the transposed W (*kernel, in, out / g)."""
    nd = Wm.ndim - 2
    cout, *kernel, ig = Wm.shape
    grouped = Wm.reshape(groups, cout // groups, *kernel, ig)  # output channel j*out/g + o
    order = (*range(2, nd + 2), 0, nd + 2, 1)
    return np.ascontiguousarray(
        grouped.transpose(order).reshape(*kernel, groups * ig, cout // groups)
    )


def _direct_weight(W: np.ndarray, groups: int) -> np.ndarray:
    """An ordinary convolution's W (*kernel, in / g, out) as MLX's (out, *kernel, in / g)."""
    nd = W.ndim - 2
    return W.transpose(nd + 1, *range(nd), nd)


def _from_direct_weight(Wm: np.ndarray, groups: int) -> np.ndarray:
    nd = Wm.ndim - 2
    return np.ascontiguousarray(Wm.transpose(*range(1, nd + 1), nd + 1, 0))


def _transposed(x: Any, w: Any, cfg: Any) -> Any:
    sym, rest = symmetric_part(tuple(cfg.padding))
    op = (mx.conv_transpose1d, mx.conv_transpose2d, mx.conv_transpose3d)[x.ndim - 3]
    z = op(
        x,
        w,
        stride=_arg(cfg.stride),
        padding=_arg(sym),
        dilation=_arg(cfg.dilation),
        output_padding=_arg(cfg.output_padding),
        groups=cfg.groups,
    )
    return crop(z, rest, h_axis=1)


def _direct(x: Any, w: Any, cfg: Any) -> Any:
    sym, rest = symmetric_part(tuple(cfg.padding))
    nd = x.ndim - 2
    if any(rest):
        x = mx.pad(x, [(0, 0), *((rest[2 * i], rest[2 * i + 1]) for i in range(nd)), (0, 0)])
    op = (mx.conv1d, mx.conv2d, mx.conv3d)[nd - 1]
    return op(
        x,
        w,
        stride=_arg(cfg.stride),
        padding=_arg(sym),
        dilation=_arg(cfg.dilation),
        groups=cfg.groups,
    )


def _arg(values: Any) -> Any:
    """MLX's 1-D ops take ints, the others tuples."""
    values = tuple(values)
    return values[0] if len(values) == 1 else values


@contextlib.contextmanager
def refused_as_unsupported() -> Iterator[None]:
    """MLX's refusal of a derivative a primitive does not implement ("[Primitive::jvp] Not
    implemented for Convolution") as `DerivativeUnsupported`, in its own words; any other error
    stays the implementation's."""
    try:
        yield
    except ValueError as exc:
        text = str(exc).strip()
        if "Not implemented for" not in text or not re.search(r"::(jvp|vjp)\]", text):
            raise
        raise DerivativeUnsupported(f"MLX refuses: {text}") from exc


class Kind:
    """forward/backward/supports of the contract over one family's MLX op."""

    def __init__(
        self,
        op: Callable[[Any, Any, Any], Any],
        to_mlx: Callable[[np.ndarray, int], np.ndarray],
        from_mlx: Callable[[np.ndarray, int], np.ndarray],
    ) -> None:
        self.op, self.to_mlx, self.from_mlx = op, to_mlx, from_mlx

    def supports(self, cfg: Any) -> bool | str:
        if len(tuple(cfg.stride)) == 3 and cfg.groups != 1:
            # Its docstrings' "Only the default groups=1 is currently supported" holds in 3-D.
            return (
                "MLX's 3-D convolutions take groups = 1 only (its docstring, and its error: "
                "'Can only handle groups != 1 in 1D or 2D convolutions')"
            )
        return unsupported_dtype(cfg, self.forward, self.backward, "mlx") or True

    def _layer(self, cfg: Any) -> Any:
        act = ACTIVATIONS[cfg.activation]

        def layer(x: Any, w: Any, b: Any = None) -> Any:
            z = self.op(x, w, cfg)
            return act(z if b is None else z + b)

        return layer

    def _arrays(self, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, groups: int) -> list[Any]:
        arrays = [X, self.to_mlx(W, groups)] + ([] if b is None else [b])
        return [_mlx(a) for a in arrays]

    def forward(self, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any) -> np.ndarray:
        return _numpy(self._layer(cfg)(*self._arrays(X, W, b, cfg.groups)), X.dtype)

    def backward(
        self, dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        arrays = self._arrays(X, W, b, cfg.groups)
        cotangent = _mlx(dY)
        _, grads = mx.vjp(self._layer(cfg), arrays, [cotangent])
        dX = _numpy(grads[0], X.dtype)
        dW = self.from_mlx(_numpy(grads[1], X.dtype), cfg.groups)
        return dX, dW, None if b is None else _numpy(grads[2], X.dtype)

    def jvp(self, tX: A, tW: A, tb: B, X: A, W: A, b: B, cfg: Any) -> Tangent:
        """`mx.jvp`: MLX's forward mode."""
        with refused_as_unsupported():
            outs, tangents = mx.jvp(
                self._layer(cfg),
                self._arrays(X, W, b, cfg.groups),
                self._arrays(tX, tW, tb, cfg.groups),
            )
        return _numpy(outs[0], X.dtype), _numpy(tangents[0], X.dtype)

    def double_backward(self, ddX: A, ddW: A, ddb: B, dY: A, X: A, W: A, b: B, cfg: Any) -> Second:
        """`mx.vjp` of `mx.vjp`: the backward's vector-Jacobian product in (dY, X, W, b)."""
        layer = self._layer(cfg)
        arrays = self._arrays(X, W, b, cfg.groups)

        def grads(dy: Any, *primals: Any) -> Any:
            return mx.vjp(layer, list(primals), [dy])[1]

        dy = _mlx(dY)
        with refused_as_unsupported():
            _, found = mx.vjp(grads, [dy, *arrays], self._arrays(ddX, ddW, ddb, cfg.groups))
        gdY, gX = _numpy(found[0], X.dtype), _numpy(found[1], X.dtype)
        gW = self.from_mlx(_numpy(found[2], X.dtype), cfg.groups)
        return gdY, gX, gW, None if b is None else _numpy(found[3], X.dtype)


def _mlx(a: np.ndarray) -> Any:
    """An MLX array of `a`'s values in its dtype: mx.array would turn float64 into float32, so
    the dtype is given explicitly; bfloat16 goes through float32 (exact), as MLX reads no
    ml_dtypes array."""
    dtype = getattr(mx, a.dtype.name)
    if dtype == mx.bfloat16:
        return mx.array(fresh(as_float32_if_bf16(a))).astype(dtype)
    return mx.array(fresh(a), dtype=dtype)


def _numpy(a: Any, dtype: np.dtype[Any]) -> np.ndarray:
    """An MLX array's values as a numpy array of the case's dtype (bfloat16 through float32)."""
    if a.dtype == mx.bfloat16:
        a = a.astype(mx.float32)
    return in_dtype(np.array(a), dtype)


TRANSPOSED = Kind(_transposed, mlx_weight, gradgate_weight)
DIRECT = Kind(_direct, _direct_weight, _from_direct_weight)
