"""The checks every reference applies to the arrays it is given."""

from __future__ import annotations

import numpy as np


def check_arrays(X: np.ndarray, W: np.ndarray, b: np.ndarray | None) -> None:
    """X and W numpy arrays of one float dtype (float32 or float64), b of it too or None."""
    for name, arr in (("X", X), ("W", W)):
        if not isinstance(arr, np.ndarray):
            raise ValueError(f"{name} must be a numpy array, got {type(arr).__name__}")
    if X.dtype != W.dtype or X.dtype not in (np.float32, np.float64):
        raise ValueError(
            f"X and W must both be float32 or both float64, got {X.dtype} and {W.dtype}"
        )
    if b is not None and (not isinstance(b, np.ndarray) or b.dtype != X.dtype):
        raise ValueError(f"b must be a numpy array of dtype {X.dtype} or None")
