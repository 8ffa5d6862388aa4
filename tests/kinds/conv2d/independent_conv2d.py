"""A second correct Conv2D, written independently of the reference, in plain numpy.

The reference (`gradgate.reference_impl.conv2d.maths`) takes a strided sliding-window view of the
padded input and does one GEMM forward, and one GEMM per kernel tap backward.  This one walks
the output row by row: the input is zero-padded explicitly, the rows and cols each output
pixel reads are gathered by index arrays (output row i reads padded rows i*sh + a*dh, col j
reads cols j*sw + c*dw), and one einsum per output row contracts them with the kernel, group
by group.  The backward scatters each output row's share back through the same index arrays
(`np.add.at`, so overlapping windows add up), and sums dW and db over the rows.  It computes in
the case's dtype, with the activations of tests/kinds/deconv2d/independent_impl.py (not the
reference's).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tests.kinds.deconv2d.independent_impl import _activate, _slope


def _indices(out: int, k: int, s: int, d: int) -> np.ndarray:
    """(out, k): the padded-input index that output o reads through tap a, o*s + a*d."""
    return np.arange(out)[:, None] * s + np.arange(k)[None, :] * d


def _geometry(X: np.ndarray, W: np.ndarray, cfg: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The zero-padded X, and the row and col index arrays of every output's window."""
    top, bottom, left, right = cfg.padding
    Xp = np.zeros(
        (X.shape[0], X.shape[1] + top + bottom, X.shape[2] + left + right, X.shape[3]), X.dtype
    )
    Xp[:, top : top + X.shape[1], left : left + X.shape[2]] = X
    kh, kw = W.shape[:2]
    (sh, sw), (dh, dw) = cfg.stride, cfg.dilation
    out_h = (Xp.shape[1] - dh * (kh - 1) - 1) // sh + 1
    out_w = (Xp.shape[2] - dw * (kw - 1) - 1) // sw + 1
    return Xp, _indices(out_h, kh, sh, dh), _indices(out_w, kw, sw, dw)


def _grouped(W: np.ndarray, groups: int) -> np.ndarray:
    """W (kh, kw, cig, out_ch) -> (kh, kw, cig, groups, out_ch // groups)."""
    kh, kw, cig, out_ch = W.shape
    return W.reshape(kh, kw, cig, groups, out_ch // groups)


def _row_patch(Xp: np.ndarray, rows: np.ndarray, cols: np.ndarray, groups: int) -> np.ndarray:
    """(n, kh, out_w, kw, groups, cig): what one output row reads (rows: its kh padded rows)."""
    patch = Xp[:, rows[:, None, None], cols[None, :, :]]  # (n, kh, out_w, kw, in_ch)
    return patch.reshape(*patch.shape[:4], groups, -1)


def _linear(X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any) -> np.ndarray:
    Xp, R, C = _geometry(X, W, cfg)
    Wg = _grouped(W, cfg.groups)
    Z = np.empty((X.shape[0], R.shape[0], C.shape[0], W.shape[3]), X.dtype)
    for i in range(R.shape[0]):
        patch = _row_patch(Xp, R[i], C, cfg.groups)
        Z[:, i] = np.einsum("nawcgi,acigo->nwgo", patch, Wg).reshape(Z.shape[0], Z.shape[2], -1)
    if b is not None:
        Z += b
    return Z


def forward(X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any) -> np.ndarray:
    return _activate(cfg.activation, _linear(X, W, b, cfg))


def backward(
    dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    Z = _linear(X, W, b, cfg)
    dZ = (dY * _slope(cfg.activation, Z, _activate(cfg.activation, Z))).astype(X.dtype)
    Xp, R, C = _geometry(X, W, cfg)
    g = cfg.groups
    Wg = _grouped(W, g)
    n, out_w = X.shape[0], C.shape[0]
    dXp = np.zeros_like(Xp)
    dWg = np.zeros_like(Wg)
    for i in range(R.shape[0]):
        patch = _row_patch(Xp, R[i], C, g)
        dz = dZ[:, i].reshape(n, out_w, g, -1)  # (n, out_w, groups, cog)
        dWg += np.einsum("nawcgi,nwgo->acigo", patch, dz)
        share = np.einsum("nwgo,acigo->nawcgi", dz, Wg).reshape(
            n, R.shape[1], out_w, C.shape[1], -1
        )
        window: Any = (slice(None), R[i][:, None, None], C[None, :, :])
        np.add.at(dXp, window, share)
    top, _, left, _ = cfg.padding
    dX = np.ascontiguousarray(dXp[:, top : top + X.shape[1], left : left + X.shape[2]])
    db = dZ.sum(axis=(0, 1, 2)) if b is not None else None
    return dX, dWg.reshape(W.shape), db
