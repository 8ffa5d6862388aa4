"""The transposed convolution over 1 to 3 spatial axes in numpy: forward and backward, vectorized.

Layouts (channels-last):  X (n, *size, in_ch),  W (*kernel, in_ch, out_ch // groups),
b (out_ch,) or None,  Z (n, *out, out_ch); ``cfg.padding`` is (before, after) per axis, cropped
from the full output.

Formulation.  Input position i and kernel tap a land on full-output position
i * stride + a * dilation (per axis).  The forward is one batched GEMM (every position against
every tap, per group) followed by one strided slice-add per kernel tap; nothing is scattered
element by element and no zero-dilated copy of X is made.  The backward reads the same geometry
as a strided sliding-window *view* of the (padded) output gradient and contracts it with two
GEMMs.  The shapes are the caller's to validate (`transpose_convolve` takes the output shape it
computed).
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
from gradgate.reference_impl.nd.config import (
    DeconvNdConfig,
    TransposedGeometry,
    deconv_output_shape,
    full_sizes,
)


def _grouped_weights(W: np.ndarray, groups: int) -> np.ndarray:
    """W (*kernel, in_ch, cog) -> (groups, in_ch // groups, prod(kernel) * cog)."""
    nd = W.ndim - 2
    *kernel, in_ch, cog = W.shape
    split = W.reshape(*kernel, groups, in_ch // groups, cog)
    return split.transpose(nd, nd + 1, *range(nd), nd + 2).reshape(groups, in_ch // groups, -1)


def _grouped_positions(X: np.ndarray, groups: int) -> np.ndarray:
    """X (n, *size, in_ch) -> (groups, n * prod(size), in_ch // groups)."""
    return X.reshape(-1, groups, X.shape[-1] // groups).transpose(1, 0, 2)


def _crop(cfg: TransposedGeometry, out: tuple[int, ...]) -> tuple[slice, ...]:
    pad = tuple(cfg.padding)
    return (slice(None),) + tuple(slice(pad[2 * i], pad[2 * i] + o) for i, o in enumerate(out))


def transpose_convolve(
    X: np.ndarray,
    W: np.ndarray,
    b: np.ndarray | None,
    cfg: TransposedGeometry,
    out_shape: tuple[int, ...],
) -> np.ndarray:
    """Z = conv_transpose(X, W) cropped by padding, + b, for a validated output shape."""
    nd = X.ndim - 2
    n, *size, _ = X.shape
    *kernel, _, cog = W.shape
    g = cfg.groups
    full = full_sizes(tuple(size), tuple(kernel), cfg)
    # (g, n * prod(size), prod(kernel) * cog) -> (n, *size, *kernel, g, cog)
    cols = np.matmul(_grouped_positions(X, g), _grouped_weights(W, g))
    cols = cols.reshape(g, n, *size, *kernel, cog).transpose(*range(1, 2 * nd + 2), 0, 2 * nd + 2)
    Zfull = np.zeros((n, *full, g, cog), dtype=X.dtype)
    spans = [(i - 1) * s + 1 for i, s in zip(size, cfg.stride)]
    lead = (slice(None),) * (nd + 1)
    for tap in np.ndindex(*kernel):
        window = (slice(None),) + tuple(
            slice(a * d, a * d + span, s)
            for a, d, span, s in zip(tap, cfg.dilation, spans, cfg.stride)
        )
        Zfull[window] += cols[lead + tap]
    Z = np.ascontiguousarray(Zfull[_crop(cfg, out_shape[1:-1])]).reshape(out_shape)
    if b is not None:
        Z += b
    return Z


def transpose_convolve_backward(
    dZ: np.ndarray, X: np.ndarray, W: np.ndarray, cfg: TransposedGeometry, with_bias: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(dX, dW, db) of sum(dZ * Z) for Z = transpose_convolve(X, W, b)."""
    nd = X.ndim - 2
    n, *size, in_ch = X.shape
    *kernel, _, cog = W.shape
    g = cfg.groups
    full = full_sizes(tuple(size), tuple(kernel), cfg)
    out_ch = dZ.shape[-1]
    dfull = np.zeros((n, *full, out_ch), dtype=dZ.dtype)
    dfull[_crop(cfg, dZ.shape[1:-1])] = dZ
    s_n, *s_axes, s_c = dfull.strides
    # windows[n, *i, *a, grp, o] = dfull[n, *(i * stride + a * dilation), grp * cog + o]
    windows = as_strided(
        dfull,
        shape=(n, *size, *kernel, g, cog),
        strides=(
            s_n,
            *(st * s for st, s in zip(cfg.stride, s_axes)),
            *(d * s for d, s in zip(cfg.dilation, s_axes)),
            cog * s_c,
            s_c,
        ),
        writeable=False,
    )
    order = (2 * nd + 1, *range(2 * nd + 1), 2 * nd + 2)
    dcols = windows.transpose(order).reshape(g, n * int(np.prod(size)), -1)
    Wg = _grouped_weights(W, g)
    dX = np.matmul(dcols, Wg.transpose(0, 2, 1))  # (g, n * prod(size), cig)
    dX = dX.transpose(1, 0, 2).reshape(X.shape)
    dWg = np.matmul(_grouped_positions(X, g).transpose(0, 2, 1), dcols)  # (g, cig, ...)
    dW = dWg.reshape(g, in_ch // g, *kernel, cog)
    dW = dW.transpose(*range(2, nd + 2), 0, 1, nd + 2).reshape(W.shape)
    db = dZ.sum(axis=tuple(range(nd + 1))) if with_bias else None
    return np.ascontiguousarray(dX), np.ascontiguousarray(dW), db


def linear_forward(
    X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: DeconvNdConfig
) -> np.ndarray:
    """Z = conv_transpose(X, W) cropped by padding, + b (no activation)."""
    check_arrays(X, W, b)
    out_shape = deconv_output_shape(X.shape, W.shape, cfg)
    check_bias(b, out_shape[-1])
    return transpose_convolve(X, W, b, cfg, out_shape)


def linear_backward(
    dZ: np.ndarray, X: np.ndarray, W: np.ndarray, cfg: DeconvNdConfig, with_bias: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(dX, dW, db) of sum(dZ * Z) for the linear map Z = linear_forward(X, W, b)."""
    return transpose_convolve_backward(dZ, X, W, cfg, with_bias)


@in_working_precision
def forward(X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: DeconvNdConfig) -> np.ndarray:
    """Y = activation(conv_transpose(X, W) cropped by padding + b)."""
    return activate(cfg.activation, linear_forward(X, W, b, cfg))


@in_working_precision
def backward(
    dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: DeconvNdConfig
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Gradients (dX, dW, db) of sum(dY * Y) with respect to X, W and b; db is None without b."""
    return backward_through_activation(
        dY, X, W, b, cfg, linear_forward, transpose_convolve_backward, deconv_output_shape
    )


# Forward mode and the second order (gradgate.reference_impl.higher_order): from the same linear
# map and its transposes.
jvp, double_backward = derivatives(linear_forward, linear_backward)
