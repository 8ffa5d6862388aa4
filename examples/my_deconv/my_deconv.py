"""A transposed convolution written the way people write one by hand: loops over input pixels.

It supports stride, padding (any, asymmetric included), bias and the activations, but not
dilation, output padding or groups: `supports` says so, and gradgate reports those cases as
unsupported instead of failing them.
"""

from __future__ import annotations

import numpy as np

ACTIVATIONS = {
    "identity": (lambda z: z, lambda z: np.ones_like(z)),
    "relu": (lambda z: np.maximum(z, 0), lambda z: (z > 0).astype(z.dtype)),
    "leaky_relu": (lambda z: np.where(z > 0, z, 0.01 * z), lambda z: np.where(z > 0, 1.0, 0.01)),
    "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2),
}


def supports(cfg):
    if tuple(cfg.dilation) != (1, 1):
        return "no dilation"
    if tuple(cfg.output_padding) != (0, 0):
        return "no output padding"
    if cfg.groups != 1:
        return "no groups"
    return True


def _full(X, W, cfg):
    """The uncropped transposed convolution: every input pixel stamps the kernel, scaled."""
    n, h, w, _ = X.shape
    kh, kw, _, out_ch = W.shape
    sh, sw = cfg.stride
    full = np.zeros((n, (h - 1) * sh + kh, (w - 1) * sw + kw, out_ch), dtype=X.dtype)
    for i in range(h):
        for j in range(w):
            stamp = np.einsum("nc,abco->nabo", X[:, i, j, :], W)
            full[:, i * sh : i * sh + kh, j * sw : j * sw + kw, :] += stamp
    return full


def _crop(full, cfg):
    top, bottom, left, right = cfg.padding
    return full[:, top : full.shape[1] - bottom, left : full.shape[2] - right, :]


def forward(X, W, b, cfg):
    Z = _crop(_full(X, W, cfg), cfg)
    if b is not None:
        Z = Z + b
    return ACTIVATIONS[cfg.activation][0](Z).astype(X.dtype)


def backward(dY, X, W, b, cfg):
    Z = _crop(_full(X, W, cfg), cfg)
    if b is not None:
        Z = Z + b
    dZ = (dY * ACTIVATIONS[cfg.activation][1](Z)).astype(X.dtype)
    top, _, left, _ = cfg.padding
    n, h, w, _ = X.shape
    kh, kw, _, _ = W.shape
    sh, sw = cfg.stride
    dfull = np.zeros((n, (h - 1) * sh + kh, (w - 1) * sw + kw, W.shape[3]), dtype=X.dtype)
    dfull[:, top : top + dZ.shape[1], left : left + dZ.shape[2], :] = dZ
    dX = np.zeros_like(X)
    dW = np.zeros_like(W)
    for i in range(h):
        for j in range(w):
            window = dfull[:, i * sh : i * sh + kh, j * sw : j * sw + kw, :]
            dX[:, i, j, :] = np.einsum("nabo,abco->nc", window, W)
            dW += np.einsum("nc,nabo->abco", X[:, i, j, :], window)
    db = None if b is None else dZ.sum(axis=(0, 1, 2))
    return dX, dW, db
