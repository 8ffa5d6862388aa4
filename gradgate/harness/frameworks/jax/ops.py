"""JAX's own convolutions, every kind, backward by `jax.vjp`; each kind's module (`deconv2d.py`,
`conv3d.py`, ...) is these functions.

Channels-last ("NWC", "NHWC", "NDHWC") with the contract's weight layouts.

- Transposed: `jax.lax.conv_transpose` (groups > 1: `lax.conv_general_dilated` with input
  dilation, the call conv_transpose makes, plus `feature_group_count`).  groups = 1: the
  kernel (*kernel, in, out) is given as the forward convolution's kernel ("...OI") with
  `transpose_kernel=True`, which flips it and swaps its channel axes, as keras'
  Conv2DTranspose does.  Padding is JAX's native explicit padding of the stride-dilated input,
  (dilation * (k - 1) - before, dilation * (k - 1) - after + output_padding) per axis:
  asymmetric padding and output padding go in natively, negative where padding >
  dilation * (k - 1).
- Ordinary: `lax.conv_general_dilated` with the contract's (before, after) padding per axis,
  `rhs_dilation` and `feature_group_count`; the kernel (*kernel, in // groups, out) is "...IO".

Activations are jax.nn's.  float64 needs `jax_enable_x64`, set in `common.py`; one CPU thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from gradgate.harness.derivatives import A, B, Second, Tangent
from gradgate.harness.frameworks.dtypes import unsupported_dtype
from gradgate.harness.frameworks.jax.common import ACTIVATIONS, jax, jnp
from gradgate.harness.frameworks.translations import input_padding

lax = jax.lax
SPATIAL = {1: "W", 2: "HW", 3: "DHW"}


def _numbers(nd: int, kernel: str) -> tuple[str, str, str]:
    s = SPATIAL[nd]
    return (f"N{s}C", f"{s}{kernel}", f"N{s}C")


def _transposed(x: Any, w: Any, cfg: Any) -> Any:
    nd = x.ndim - 2
    *kernel, in_ch, out_per_group = w.shape
    pads = input_padding(cfg, *kernel)
    if cfg.groups == 1:
        return lax.conv_transpose(
            x,
            w,
            tuple(cfg.stride),
            pads,
            rhs_dilation=tuple(cfg.dilation),
            dimension_numbers=_numbers(nd, "OI"),
            transpose_kernel=True,
        )
    # The convolution kernel: per group, input and output channels swapped, flipped in space.
    g = cfg.groups
    rhs = w.reshape(*kernel, g, in_ch // g, out_per_group)
    rhs = rhs.transpose(*range(nd), nd + 1, nd, nd + 2).reshape(*kernel, in_ch // g, -1)
    rhs = rhs[(slice(None, None, -1),) * nd]
    return lax.conv_general_dilated(
        x,
        rhs,
        (1,) * nd,
        pads,
        lhs_dilation=tuple(cfg.stride),
        rhs_dilation=tuple(cfg.dilation),
        dimension_numbers=_numbers(nd, "IO"),
        feature_group_count=g,
    )


def _direct(x: Any, w: Any, cfg: Any) -> Any:
    nd = x.ndim - 2
    pads = [(cfg.padding[2 * i], cfg.padding[2 * i + 1]) for i in range(nd)]
    return lax.conv_general_dilated(
        x,
        w,
        tuple(cfg.stride),
        pads,
        rhs_dilation=tuple(cfg.dilation),
        dimension_numbers=_numbers(nd, "IO"),
        feature_group_count=cfg.groups,
    )


class Kind:
    """forward/backward/supports of the contract over one family's jax op."""

    def __init__(self, op: Callable[[Any, Any, Any], Any]) -> None:
        self.op = op

    def supports(self, cfg: Any) -> bool | str:
        return unsupported_dtype(cfg, self.forward, self.backward, "jax") or True

    def _layer(self, cfg: Any) -> Any:
        act = ACTIVATIONS[cfg.activation]

        def layer(x: Any, w: Any, b: Any = None) -> Any:
            z = self.op(x, w, cfg)
            return act(z if b is None else z + b)

        return layer

    def forward(self, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any) -> np.ndarray:
        args = (X, W) if b is None else (X, W, b)
        return np.array(self._layer(cfg)(*map(jnp.asarray, args)))

    def backward(
        self, dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        args = (X, W) if b is None else (X, W, b)
        _, vjp = jax.vjp(self._layer(cfg), *map(jnp.asarray, args))
        grads = [np.array(g) for g in vjp(jnp.asarray(dY))]
        return grads[0], grads[1], None if b is None else grads[2]

    def jvp(self, tX: A, tW: A, tb: B, X: A, W: A, b: B, cfg: Any) -> Tangent:
        """`jax.jvp`: forward mode."""
        primals = tuple(jnp.asarray(a) for a in ((X, W) if b is None else (X, W, b)))
        tangents = tuple(jnp.asarray(a) for a in ((tX, tW) if tb is None else (tX, tW, tb)))
        y, ty = jax.jvp(self._layer(cfg), primals, tangents)
        return np.array(y), np.array(ty)

    def double_backward(self, ddX: A, ddW: A, ddb: B, dY: A, X: A, W: A, b: B, cfg: Any) -> Second:
        """`jax.vjp` of `jax.vjp`: the backward's vector-Jacobian product in (dY, X, W, b)."""
        layer = self._layer(cfg)

        def grads(dy: Any, *primals: Any) -> Any:
            return jax.vjp(layer, *primals)[1](dy)

        primals = tuple(jnp.asarray(a) for a in ((X, W) if b is None else (X, W, b)))
        _, vjp = jax.vjp(grads, jnp.asarray(dY), *primals)
        cotangents = tuple(jnp.asarray(a) for a in ((ddX, ddW) if ddb is None else (ddX, ddW, ddb)))
        found = [np.array(g) for g in vjp(cotangents)]
        return found[0], found[1], found[2], None if b is None else found[3]


TRANSPOSED = Kind(_transposed)
DIRECT = Kind(_direct)
