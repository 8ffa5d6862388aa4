"""Ordinary 2-D convolution (Conv2D) in numpy: forward and backward, vectorized.

Layouts (channels-last, docs/contract.md):  X (n, in_h, in_w, in_ch),
W (kh, kw, in_ch // groups, out_ch),  b (out_ch,) or None,  Y (n, out_h, out_w, out_ch).
``cfg.padding`` (top, bottom, left, right) is zeros added around the input.

Formulation.  Output pixel (i, j) reads padded-input pixel
(i * stride_h + a * dilation_h, j * stride_w + c * dilation_w) through kernel tap (a, c).
The forward reads that geometry as a strided sliding-window *view* of the zero-padded input
and contracts it with one batched GEMM (the groups are the batch).  The backward loops over
the kernel taps only: the pixels one tap reads are one strided slice of the padded input,
so per tap one GEMM gives dW's tap and one GEMM plus one strided slice-add gives its share
of the padded input gradient, which is then cropped.  (Per tap, the backward never holds the
kh * kw times larger window matrix, which measured faster than one big GEMM on it.)  The
function names and structure mirror `gradgate.reference_impl.deconv2d.maths`, whose forward this
backward's dX is.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from gradgate.reference_impl.activations import activate, activation_grad
from gradgate.reference_impl.arrays import check_arrays, in_working_precision
from gradgate.reference_impl.conv2d.config import Conv2DConfigLike, conv2d_output_shape


def _grouped_weights(W: np.ndarray, groups: int) -> np.ndarray:
    """W (kh, kw, cig, out_ch) -> (groups, kh * kw * cig, out_ch // groups)."""
    kh, kw, cig, out_ch = W.shape
    cog = out_ch // groups
    return W.reshape(kh, kw, cig, groups, cog).transpose(3, 0, 1, 2, 4).reshape(groups, -1, cog)


def _padded(X: np.ndarray, padding: tuple[int, int, int, int]) -> np.ndarray:
    top, bottom, left, right = padding
    if not any(padding):
        return np.ascontiguousarray(X)
    return np.pad(X, ((0, 0), (top, bottom), (left, right), (0, 0)))


def _windows(
    Xp: np.ndarray,
    out_shape: tuple[int, int, int, int],
    W_shape: tuple[int, ...],
    cfg: Conv2DConfigLike,
) -> np.ndarray:
    """The im2col matrix (groups, n * out_h * out_w, kh * kw * cig) of the padded input.

    windows[n, i, j, a, c, grp, ci] = Xp[n, i*sh + a*dh, j*sw + c*dw, grp*cig + ci], a
    read-only view; the reshape into GEMM rows makes the one copy.
    """
    n, out_h, out_w, _ = out_shape
    kh, kw, cig, _ = W_shape
    g = cfg.groups
    (sh, sw), (dh, dw) = cfg.stride, cfg.dilation
    s_n, s_h, s_w, s_c = Xp.strides
    view = as_strided(
        Xp,
        shape=(n, out_h, out_w, kh, kw, g, cig),
        strides=(s_n, sh * s_h, sw * s_w, dh * s_h, dw * s_w, cig * s_c, s_c),
        writeable=False,
    )
    if g == 1:
        return view.reshape(1, n * out_h * out_w, kh * kw * cig)
    return view.transpose(5, 0, 1, 2, 3, 4, 6).reshape(g, n * out_h * out_w, kh * kw * cig)


def _check_bias(b: np.ndarray | None, out_ch: int) -> None:
    if b is not None and b.shape != (out_ch,):
        raise ValueError(f"b must have shape (out_ch,) = ({out_ch},), got {b.shape}")


def linear_forward(
    X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Conv2DConfigLike
) -> np.ndarray:
    """Z = conv2d(zero-padded X, W) + b (no activation)."""
    check_arrays(X, W, b)
    out_shape = conv2d_output_shape(X.shape, W.shape, cfg)
    _check_bias(b, out_shape[3])
    cols = _windows(_padded(X, cfg.padding), out_shape, W.shape, cfg)
    Zg = np.matmul(cols, _grouped_weights(W, cfg.groups))  # (g, n*oh*ow, cog)
    Z = Zg[0] if cfg.groups == 1 else Zg.transpose(1, 0, 2)
    Z = np.ascontiguousarray(Z).reshape(out_shape)
    if b is not None:
        Z += b
    return Z


def linear_backward(
    dZ: np.ndarray, X: np.ndarray, W: np.ndarray, cfg: Conv2DConfigLike, with_bias: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(dX, dW, db) of sum(dZ * Z) for the linear map Z = linear_forward(X, W, b)."""
    n, in_h, in_w, in_ch = X.shape
    kh, kw, cig, out_ch = W.shape
    g = cfg.groups
    cog = out_ch // g
    (sh, sw), (dh, dw) = cfg.stride, cfg.dilation
    top, bottom, left, right = cfg.padding
    _, out_h, out_w, _ = dZ.shape
    dZg = dZ.reshape(-1, g, cog).transpose(1, 0, 2)  # (g, n*oh*ow, cog)
    Xp = _padded(X, cfg.padding).reshape(n, in_h + top + bottom, in_w + left + right, g, cig)
    Wt = W.reshape(kh, kw, cig, g, cog).transpose(0, 1, 3, 4, 2)  # (kh, kw, g, cog, cig)

    # Per kernel tap (a, c), the padded-input pixels it reads form one strided slice: dW's
    # tap is that slice against dZ, and dX's slice receives dZ against the tap's weights.
    dW = np.empty((kh, kw, cig, g, cog), dtype=dZ.dtype)
    dXp = np.zeros_like(Xp, dtype=dZ.dtype)
    span_h, span_w = (out_h - 1) * sh + 1, (out_w - 1) * sw + 1
    for a in range(kh):
        for c in range(kw):
            rows = slice(a * dh, a * dh + span_h, sh)
            cols = slice(c * dw, c * dw + span_w, sw)
            Xs = Xp[:, rows, cols].reshape(-1, g, cig).transpose(1, 2, 0)  # (g, cig, n*oh*ow)
            dW[a, c] = np.matmul(Xs, dZg).transpose(1, 0, 2)
            dXs = np.matmul(dZg, Wt[a, c])  # (g, n*oh*ow, cig)
            dXp[:, rows, cols] += dXs.transpose(1, 0, 2).reshape(n, out_h, out_w, g, cig)
    dX = dXp[:, top : top + in_h, left : left + in_w].reshape(n, in_h, in_w, in_ch)
    db = dZ.sum(axis=(0, 1, 2)) if with_bias else None
    return np.ascontiguousarray(dX), dW.reshape(W.shape), db


@in_working_precision
def forward(
    X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Conv2DConfigLike
) -> np.ndarray:
    """Y = activation(conv2d(zero-padded X, W) + b)."""
    return activate(cfg.activation, linear_forward(X, W, b, cfg))


@in_working_precision
def backward(
    dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Conv2DConfigLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Gradients (dX, dW, db) of sum(dY * Y) with respect to X, W and b; db is None without b."""
    check_arrays(X, W, b)
    expected = conv2d_output_shape(X.shape, W.shape, cfg)
    _check_bias(b, expected[3])
    if not isinstance(dY, np.ndarray) or dY.shape != expected:
        shape = getattr(dY, "shape", type(dY).__name__)
        raise ValueError(f"dY must have shape {expected} (the forward output), got {shape}")
    if cfg.activation == "identity":  # Z is not needed: skip recomputing the forward
        dZ = dY.astype(X.dtype, copy=False)
    else:
        Z = linear_forward(X, W, b, cfg)
        dZ = dY.astype(X.dtype, copy=False) * activation_grad(
            cfg.activation, Z, activate(cfg.activation, Z)
        )
    return linear_backward(dZ, X, W, cfg, with_bias=b is not None)
