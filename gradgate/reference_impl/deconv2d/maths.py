"""Transposed 2-D convolution in numpy: forward and backward, vectorized.

Layouts (channels-last):  X (n, in_h, in_w, in_ch),  W (kh, kw, in_ch, out_ch // groups),
b (out_ch,) or None,  Y (n, out_h, out_w, out_ch).

Formulation.  Input pixel (i, j) and kernel tap (a, c) land on full-output pixel
(i * stride_h + a * dilation_h, j * stride_w + c * dilation_w).  The forward is one batched
GEMM (every pixel against every tap, per group) followed by one strided slice-add per kernel
tap; nothing is scattered element by element and no zero-dilated copy of X is made.  The
backward reads the same geometry as a strided sliding-window *view* of the (padded) output
gradient and contracts it with two GEMMs.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from gradgate.reference_impl.activations import activate, activation_grad
from gradgate.reference_impl.arrays import check_arrays, in_working_precision
from gradgate.reference_impl.deconv2d.config import DeconvConfig, full_size, output_shape


def _grouped_weights(W: np.ndarray, groups: int) -> np.ndarray:
    """W (kh, kw, in_ch, cog) -> (groups, in_ch // groups, kh * kw * cog)."""
    kh, kw, in_ch, cog = W.shape
    cig = in_ch // groups
    return W.reshape(kh, kw, groups, cig, cog).transpose(2, 3, 0, 1, 4).reshape(groups, cig, -1)


def _grouped_pixels(X: np.ndarray, groups: int) -> np.ndarray:
    """X (n, h, w, in_ch) -> (groups, n * h * w, in_ch // groups)."""
    rows = X.reshape(-1, groups, X.shape[3] // groups)
    return rows.transpose(1, 0, 2)


def linear_forward(
    X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: DeconvConfig
) -> np.ndarray:
    """Z = conv_transpose2d(X, W) cropped by padding, + b (no activation)."""
    check_arrays(X, W, b)
    n, out_h, out_w, out_ch = output_shape(X.shape, W.shape, cfg)
    _, in_h, in_w, _ = X.shape
    kh, kw, _, cog = W.shape
    g = cfg.groups
    (sh, sw), (dh, dw) = cfg.stride, cfg.dilation
    full_h, full_w = full_size(in_h, kh, cfg, 0), full_size(in_w, kw, cfg, 1)
    if b is not None and b.shape != (out_ch,):
        raise ValueError(f"b must have shape (out_ch,) = ({out_ch},), got {b.shape}")

    cols = np.matmul(_grouped_pixels(X, g), _grouped_weights(W, g))  # (g, n*h*w, kh*kw*cog)
    cols = cols.reshape(g, n, in_h, in_w, kh, kw, cog).transpose(1, 2, 3, 4, 5, 0, 6)
    full = np.zeros((n, full_h, full_w, g, cog), dtype=X.dtype)
    span_h, span_w = (in_h - 1) * sh + 1, (in_w - 1) * sw + 1
    for a in range(kh):
        for c in range(kw):
            r0, c0 = a * dh, c * dw
            full[:, r0 : r0 + span_h : sh, c0 : c0 + span_w : sw] += cols[:, :, :, a, c]
    top, _, left, _ = cfg.padding
    Z = full[:, top : top + out_h, left : left + out_w].reshape(n, out_h, out_w, out_ch)
    Z = np.ascontiguousarray(Z)
    if b is not None:
        Z += b
    return Z


def linear_backward(
    dZ: np.ndarray, X: np.ndarray, W: np.ndarray, cfg: DeconvConfig, with_bias: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(dX, dW, db) of sum(dZ * Z) for the linear map Z = linear_forward(X, W, b)."""
    n, in_h, in_w, in_ch = X.shape
    kh, kw, _, cog = W.shape
    g = cfg.groups
    (sh, sw), (dh, dw) = cfg.stride, cfg.dilation
    full_h, full_w = full_size(in_h, kh, cfg, 0), full_size(in_w, kw, cfg, 1)
    _, out_h, out_w, out_ch = dZ.shape
    top, _, left, _ = cfg.padding

    full = np.zeros((n, full_h, full_w, out_ch), dtype=dZ.dtype)
    full[:, top : top + out_h, left : left + out_w] = dZ
    s_n, s_h, s_w, s_c = full.strides
    # windows[n, i, j, a, c, grp, o] = full[n, i*sh + a*dh, j*sw + c*dw, grp*cog + o]
    windows = as_strided(
        full,
        shape=(n, in_h, in_w, kh, kw, g, cog),
        strides=(s_n, sh * s_h, sw * s_w, dh * s_h, dw * s_w, cog * s_c, s_c),
        writeable=False,
    )
    dcols = windows.transpose(5, 0, 1, 2, 3, 4, 6).reshape(g, n * in_h * in_w, kh * kw * cog)
    Wg = _grouped_weights(W, g)
    dX = np.matmul(dcols, Wg.transpose(0, 2, 1))  # (g, n*h*w, cig)
    dX = dX.transpose(1, 0, 2).reshape(n, in_h, in_w, in_ch)
    dWg = np.matmul(_grouped_pixels(X, g).transpose(0, 2, 1), dcols)  # (g, cig, kh*kw*cog)
    dW = dWg.reshape(g, in_ch // g, kh, kw, cog).transpose(2, 3, 0, 1, 4).reshape(W.shape)
    db = dZ.sum(axis=(0, 1, 2)) if with_bias else None
    return np.ascontiguousarray(dX), np.ascontiguousarray(dW), db


@in_working_precision
def forward(X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: DeconvConfig) -> np.ndarray:
    """Y = activation(conv_transpose2d(X, W) cropped by padding + b)."""
    return activate(cfg.activation, linear_forward(X, W, b, cfg))


@in_working_precision
def backward(
    dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: DeconvConfig
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Gradients (dX, dW, db) of sum(dY * Y) with respect to X, W and b; db is None without b."""
    check_arrays(X, W, b)
    expected = output_shape(X.shape, W.shape, cfg)
    if dY.shape != expected:
        raise ValueError(f"dY must have shape {expected} (the forward output), got {dY.shape}")
    if cfg.activation == "identity":  # Z is not needed: skip recomputing the forward
        dZ = dY.astype(X.dtype, copy=False)
    else:
        Z = linear_forward(X, W, b, cfg)
        dZ = dY * activation_grad(cfg.activation, Z, activate(cfg.activation, Z))
    return linear_backward(dZ, X, W, cfg, with_bias=b is not None)
