"""Implementations for the diagnosis tests: failures without a common factor, and a crash that
only the minimal case search reaches.
"""

from __future__ import annotations

import hashlib
from types import SimpleNamespace

import numpy as np

import gradgate.reference_impl as ref
from gradgate.reference_impl.deconv2d.config import DeconvConfig


def _scattered(X: np.ndarray, W: np.ndarray, cfg: DeconvConfig) -> bool:
    """A pseudo-random third of the configurations: a hash of the shapes and the settings."""
    key = repr((X.shape, W.shape, cfg.stride, cfg.padding, cfg.dilation, cfg.output_padding))
    key += repr((cfg.groups, cfg.activation, X.dtype.str))
    return hashlib.sha256(key.encode()).digest()[0] % 3 == 0


def _scattered_backward(
    dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: DeconvConfig
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    dX, dW, db = ref.backward(dY, X, W, b, cfg)
    return dX, dW * 1.5 if _scattered(X, W, cfg) else dW, db


# dW is wrong on cases picked by a hash: no factor level explains them.
wrong_dw_by_hash = SimpleNamespace(forward=ref.forward, backward=_scattered_backward)


def _crashing_backward(
    dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: DeconvConfig
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    if X.shape[1] == 1:  # one input row: the search gets there after batch 1
        import ctypes

        ctypes.string_at(0)  # a segmentation fault
    dX, dW, db = ref.backward(dY, X, W, b, cfg)
    return dX, dW * 2, db


# dW is wrong on every case, and an input of one row crashes the process.
crashes_on_one_row = SimpleNamespace(forward=ref.forward, backward=_crashing_backward)
