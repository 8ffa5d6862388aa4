"""JAX: `jax.lax.conv_transpose` (groups > 1: `lax.conv_general_dilated` with input dilation,
the call conv_transpose makes, plus `feature_group_count`), backward by `jax.vjp`.

Layout NHWC.  groups = 1: the kernel (kh, kw, in, out) is given as the forward convolution's
kernel ("HWOI") with `transpose_kernel=True`, which flips it and swaps its channel axes, as
keras' Conv2DTranspose does.  Padding is JAX's native explicit padding of the stride-dilated
input, (dilation * (k - 1) - before, dilation * (k - 1) - after + output_padding) per axis:
asymmetric padding and output padding go in natively, negative where padding > dilation*(k-1).
Activations are jax.nn's.  float64 needs `jax_enable_x64`, set here; one CPU thread
(XLA_FLAGS, set before jax is imported, so only when this module imports jax first).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gradgate.harness.frameworks.dtypes import unsupported_dtype
from gradgate.harness.frameworks.jax.common import ACTIVATIONS, jax, jnp
from gradgate.harness.frameworks.translations import input_padding

lax = jax.lax

_NHWC = ("NHWC", "HWIO", "NHWC")


def supports(cfg: Any) -> bool | str:
    return unsupported_dtype(cfg, forward, backward, "jax") or True


def _conv_transpose(x: Any, w: Any, cfg: Any) -> Any:
    kh, kw, in_ch, out_per_group = w.shape
    pads = input_padding(cfg, kh, kw)
    if cfg.groups == 1:
        return lax.conv_transpose(
            x,
            w,
            tuple(cfg.stride),
            pads,
            rhs_dilation=tuple(cfg.dilation),
            dimension_numbers=("NHWC", "HWOI", "NHWC"),
            transpose_kernel=True,
        )
    # The convolution kernel: per group, input and output channels swapped, flipped in space.
    g = cfg.groups
    rhs = w.reshape(kh, kw, g, in_ch // g, out_per_group).transpose(0, 1, 3, 2, 4)
    rhs = rhs.reshape(kh, kw, in_ch // g, g * out_per_group)[::-1, ::-1]
    return lax.conv_general_dilated(
        x,
        rhs,
        (1, 1),
        pads,
        lhs_dilation=tuple(cfg.stride),
        rhs_dilation=tuple(cfg.dilation),
        dimension_numbers=_NHWC,
        feature_group_count=g,
    )


def _layer(cfg: Any) -> Any:
    act = ACTIVATIONS[cfg.activation]

    def layer(x: Any, w: Any, b: Any = None) -> Any:
        z = _conv_transpose(x, w, cfg)
        return act(z if b is None else z + b)

    return layer


def forward(X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any) -> np.ndarray:
    args = (X, W) if b is None else (X, W, b)
    return np.array(_layer(cfg)(*map(jnp.asarray, args)))


def backward(
    dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    args = (X, W) if b is None else (X, W, b)
    _, vjp = jax.vjp(_layer(cfg), *map(jnp.asarray, args))
    grads = [np.array(g) for g in vjp(jnp.asarray(dY))]
    return grads[0], grads[1], None if b is None else grads[2]
