"""A second correct implementation, independent of the reference, that cannot crash a worker.

The reference scatters: one GEMM per kernel tap, added into a strided slice of the output.  This
one gathers, as the textbook derivation of a transposed convolution does: the input is spread
out by the stride (zeros in between), padded by the dilated kernel's reach, and correlated with
the flipped kernel, one shifted window per tap (its forward spreads the input's products with
every tap, which is the same sum without multiplying the zeros).  Its backward is derived the
same way.  It computes in the case's dtype (float32 in float32), with its own activations, in
plain numpy: no native code that is known to corrupt memory (unlike PyTorch 2.13.0's float32
oneDNN path, see docs/findings/torch.md), so in-process tests may run it on every case.
"""

from __future__ import annotations

from typing import Any

import numpy as np

SLOPE = 0.01  # leaky_relu's negative slope, per the contract


def _activate(name: str, z: np.ndarray) -> np.ndarray:
    if name == "identity":
        return z
    if name == "relu":
        return np.maximum(z, 0)
    if name == "leaky_relu":
        return np.where(z > 0, z, z * z.dtype.type(SLOPE))
    if name == "tanh":
        return np.tanh(z)
    if name == "sigmoid":
        return 1 / (1 + np.exp(-z))
    raise ValueError(f"activation {name!r} is not one of the contract's")


def _slope(name: str, z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """d activation / dz, from z and the activation's output y."""
    one = z.dtype.type(1)
    if name == "identity":
        return np.ones_like(z)
    if name == "relu":
        return (z > 0).astype(z.dtype)
    if name == "leaky_relu":
        return np.where(z > 0, one, z.dtype.type(SLOPE))
    if name == "tanh":
        return one - y * y
    return y * (one - y)  # sigmoid


def _geometry(X: np.ndarray, W: np.ndarray, cfg: Any) -> dict[str, Any]:
    n, in_h, in_w, in_ch = X.shape
    kh, kw = W.shape[:2]
    (sh, sw), (dh, dw), (oph, opw) = cfg.stride, cfg.dilation, cfg.output_padding
    full_h = (in_h - 1) * sh + dh * (kh - 1) + 1 + oph
    full_w = (in_w - 1) * sw + dw * (kw - 1) + 1 + opw
    # The spread input: X[i, j] sits at (reach_h + i*sh, reach_w + j*sw) of a zero canvas that
    # leaves the dilated kernel's reach before and after it (and the output padding below it).
    reach_h, reach_w = dh * (kh - 1), dw * (kw - 1)
    canvas = (n, full_h + 2 * reach_h, full_w + 2 * reach_w, in_ch)
    return {
        "full": (full_h, full_w),
        "reach": (reach_h, reach_w),
        "canvas": canvas,
        "rows": slice(reach_h, reach_h + (in_h - 1) * sh + 1, sh),
        "cols": slice(reach_w, reach_w + (in_w - 1) * sw + 1, sw),
    }


def _taps(W: np.ndarray, cfg: Any) -> list[tuple[int, int, int, int]]:
    """(row offset, col offset, kernel row, kernel col) of each tap of the flipped kernel."""
    kh, kw = W.shape[:2]
    dh, dw = cfg.dilation
    return [(a * dh, c * dw, kh - 1 - a, kw - 1 - c) for a in range(kh) for c in range(kw)]


def _groups(in_ch: int, out_per_group: int, groups: int) -> list[tuple[slice, slice]]:
    cin = in_ch // groups
    return [
        (slice(g * cin, (g + 1) * cin), slice(g * out_per_group, (g + 1) * out_per_group))
        for g in range(groups)
    ]


def _pre_activation(X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any) -> np.ndarray:
    geo = _geometry(X, W, cfg)
    full_h, full_w = geo["full"]
    kh, kw, _, og = W.shape
    Z = np.zeros((X.shape[0], full_h, full_w, og * cfg.groups), X.dtype)
    for ins, outs in _groups(X.shape[3], og, cfg.groups):
        # The spread input times every tap's weights at once (spreading commutes with the
        # channel product, so the zeros between the input's pixels are never multiplied):
        # products[..., (a, k, o)] is the spread input's channel vector dotted with W[a, k, :, o].
        taps_w = np.moveaxis(W[:, :, ins, :], 2, 0).reshape(W[:, :, ins, :].shape[2], -1)
        flat = np.ascontiguousarray(X[..., ins]).reshape(-1, taps_w.shape[0]) @ taps_w
        products = np.zeros((*geo["canvas"][:3], kh, kw, og), X.dtype)
        products[:, geo["rows"], geo["cols"]] = flat.reshape(*X.shape[:3], kh, kw, og)
        for r, c, a, k in _taps(W, cfg):  # each output gathers its window, tap by tap
            Z[..., outs] += products[:, r : r + full_h, c : c + full_w, a, k, :]
    top, bottom, left, right = cfg.padding
    Z = Z[:, top : full_h - bottom, left : full_w - right, :]
    return Z if b is None else Z + b


def forward(X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any) -> np.ndarray:
    return _activate(cfg.activation, _pre_activation(X, W, b, cfg))


def backward(
    dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    Z = _pre_activation(X, W, b, cfg)
    dZ = dY * _slope(cfg.activation, Z, _activate(cfg.activation, Z))
    geo = _geometry(X, W, cfg)
    full_h, full_w = geo["full"]
    top, _, left, _ = cfg.padding
    dZ_full = np.zeros((X.shape[0], full_h, full_w, dZ.shape[3]), X.dtype)
    dZ_full[:, top : top + dZ.shape[1], left : left + dZ.shape[2], :] = dZ
    spread = np.zeros(geo["canvas"], X.dtype)
    spread[:, geo["rows"], geo["cols"], :] = X
    d_spread = np.zeros_like(spread)
    dW = np.zeros_like(W)
    for ins, outs in _groups(X.shape[3], W.shape[3], cfg.groups):
        for r, c, a, k in _taps(W, cfg):
            window = (slice(None), slice(r, r + full_h), slice(c, c + full_w), ins)
            d_spread[window] += dZ_full[..., outs] @ W[a, k, ins, :].T
            dW[a, k, ins, :] = np.tensordot(
                spread[window], dZ_full[..., outs], ([0, 1, 2], [0, 1, 2])
            )
    dX = np.ascontiguousarray(d_spread[:, geo["rows"], geo["cols"], :])
    db = None if b is None else dZ.sum(axis=(0, 1, 2))
    return dX, dW, db
