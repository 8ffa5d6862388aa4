"""The ordinary convolution over 1 to 3 spatial axes in numpy: forward and backward, vectorized.

Layouts (channels-last):  X (n, *size, in_ch),  W (*kernel, in_ch // groups, out_ch),
b (out_ch,) or None,  Z (n, *out, out_ch); ``cfg.padding`` is zeros added around the input,
(before, after) per axis.

Formulation.  Output position o reads padded-input position o * stride + a * dilation through
kernel tap a (per axis).  The forward reads that geometry as a strided sliding-window *view* of
the zero-padded input and contracts it with one batched GEMM (the groups are the batch).  The
backward loops over the kernel taps only: the positions one tap reads are one strided slice of
the padded input, so per tap one GEMM gives dW's tap and one GEMM plus one strided slice-add
gives its share of the padded input gradient, which is then cropped.  (Per tap, the backward
never holds the prod(kernel) times larger window matrix, which measured faster than one big
GEMM on it.)  The shapes are the caller's to validate (`convolve` and `convolve_backward` take
the output shape it computed).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from gradgate.reference_impl.activations import activate
from gradgate.reference_impl.arrays import (
    backward_through_activation,
    check_arrays,
    check_bias,
    in_working_precision,
)
from gradgate.reference_impl.higher_order import derivatives
from gradgate.reference_impl.nd.config import ConvNdConfig, Geometry, conv_output_shape


def _grouped_weights(W: np.ndarray, groups: int) -> np.ndarray:
    """W (*kernel, cig, out_ch) -> (groups, prod(kernel) * cig, out_ch // groups)."""
    nd = W.ndim - 2
    *kernel, cig, out_ch = W.shape
    split = W.reshape(*kernel, cig, groups, out_ch // groups)
    order = (nd + 1, *range(nd), nd, nd + 2)
    return split.transpose(order).reshape(groups, -1, out_ch // groups)


def padded(X: np.ndarray, padding: tuple[int, ...]) -> np.ndarray:
    """X with (before, after) zeros on each spatial axis."""
    if not any(padding):
        return np.ascontiguousarray(X)
    # Zeros and one slice assignment: the values np.pad gives, without its per-call overhead
    # (tens of microseconds, which the finite-difference oracle's many small forwards pay).
    n, *size, ch = X.shape
    before, after = padding[0::2], padding[1::2]
    out = np.zeros((n, *(s + p + q for s, p, q in zip(size, before, after)), ch), X.dtype)
    out[(slice(None), *(slice(p, p + s) for p, s in zip(before, size)))] = X
    return out


def _windows(
    Xp: np.ndarray, out_shape: tuple[int, ...], W_shape: tuple[int, ...], cfg: Geometry
) -> np.ndarray:
    """The im2col matrix (groups, n * prod(out), prod(kernel) * cig) of the padded input.

    windows[n, *o, *a, grp, ci] = Xp[n, *(o * stride + a * dilation), grp * cig + ci], a
    read-only view; the reshape into GEMM rows makes the one copy.
    """
    nd = Xp.ndim - 2
    n, *out, _ = out_shape
    *kernel, cig, _ = W_shape
    g = cfg.groups
    s_n, *s_axes, s_c = Xp.strides
    view = as_strided(
        Xp,
        shape=(n, *out, *kernel, g, cig),
        strides=(
            s_n,
            *(st * s for st, s in zip(cfg.stride, s_axes)),
            *(d * s for d, s in zip(cfg.dilation, s_axes)),
            cig * s_c,
            s_c,
        ),
        writeable=False,
    )
    rows = n * int(np.prod(out))
    if g == 1:
        return view.reshape(1, rows, -1)
    order = (2 * nd + 1, *range(2 * nd + 1), 2 * nd + 2)
    return view.transpose(order).reshape(g, rows, -1)


def convolve(
    X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Geometry, out_shape: tuple[int, ...]
) -> np.ndarray:
    """Z = conv(zero-padded X, W) + b for a validated output shape."""
    cols = _windows(padded(X, tuple(cfg.padding)), out_shape, W.shape, cfg)
    Zg = np.matmul(cols, _grouped_weights(W, cfg.groups))  # (g, n * prod(out), cog)
    Z = Zg[0] if cfg.groups == 1 else Zg.transpose(1, 0, 2)
    Z = np.ascontiguousarray(Z).reshape(out_shape)
    if b is not None:
        Z += b
    return Z


def convolve_backward(
    dZ: np.ndarray, X: np.ndarray, W: np.ndarray, cfg: Geometry, with_bias: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(dX, dW, db) of sum(dZ * Z) for Z = convolve(X, W, b)."""
    nd = X.ndim - 2
    n, *size, in_ch = X.shape
    *kernel, cig, out_ch = W.shape
    g = cfg.groups
    cog = out_ch // g
    out = dZ.shape[1:-1]
    pad = tuple(cfg.padding)
    dZg = dZ.reshape(-1, g, cog).transpose(1, 0, 2)  # (g, n * prod(out), cog)
    Xp = padded(X, pad)
    Xp = Xp.reshape(*Xp.shape[:-1], g, cig)
    # (*kernel, g, cog, cig)
    Wt = W.reshape(*kernel, cig, g, cog).transpose(*range(nd), nd + 1, nd + 2, nd)

    # Per kernel tap, the padded-input positions it reads form one strided slice: dW's tap is
    # that slice against dZ, and dX's slice receives dZ against the tap's weights.
    dW = np.empty((*kernel, cig, g, cog), dtype=dZ.dtype)
    dXp = np.zeros_like(Xp, dtype=dZ.dtype)
    spans = [(o - 1) * s + 1 for o, s in zip(out, cfg.stride)]
    for tap in np.ndindex(*kernel):
        window = (slice(None),) + tuple(
            slice(a * d, a * d + span, s)
            for a, d, span, s in zip(tap, cfg.dilation, spans, cfg.stride)
        )
        Xs = Xp[window].reshape(-1, g, cig).transpose(1, 2, 0)  # (g, cig, n * prod(out))
        dW[tap] = np.matmul(Xs, dZg).transpose(1, 0, 2)
        dXs = np.matmul(dZg, Wt[tap])  # (g, n * prod(out), cig)
        dXp[window] += dXs.transpose(1, 0, 2).reshape(n, *out, g, cig)
    crop = (slice(None),) + tuple(slice(pad[2 * i], pad[2 * i] + size[i]) for i in range(nd))
    dX = dXp[crop].reshape(X.shape)
    db = dZ.sum(axis=tuple(range(nd + 1))) if with_bias else None
    return np.ascontiguousarray(dX), dW.reshape(W.shape), db


def linear_forward(
    X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: ConvNdConfig
) -> np.ndarray:
    """Z = conv(zero-padded X, W) + b (no activation)."""
    check_arrays(X, W, b)
    out_shape = conv_output_shape(X.shape, W.shape, cfg)
    check_bias(b, out_shape[-1])
    return convolve(X, W, b, cfg, out_shape)


def linear_backward(
    dZ: np.ndarray, X: np.ndarray, W: np.ndarray, cfg: ConvNdConfig, with_bias: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(dX, dW, db) of sum(dZ * Z) for the linear map Z = linear_forward(X, W, b)."""
    return convolve_backward(dZ, X, W, cfg, with_bias)


@in_working_precision
def forward(X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: ConvNdConfig) -> np.ndarray:
    """Y = activation(conv(zero-padded X, W) + b)."""
    return activate(cfg.activation, linear_forward(X, W, b, cfg))


@in_working_precision
def backward(
    dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: ConvNdConfig
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Gradients (dX, dW, db) of sum(dY * Y) with respect to X, W and b; db is None without b."""
    return backward_through_activation(
        dY, X, W, b, cfg, linear_forward, convolve_backward, conv_output_shape
    )


# Forward mode and the second order (gradgate.reference_impl.higher_order): from the same linear
# map and its transposes.
jvp, double_backward = derivatives(linear_forward, linear_backward)
