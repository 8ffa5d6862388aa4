"""The checks every reference applies to the arrays it is given, and its working precision.

float64 and float32 arrays are computed in their own dtype. float16 and bfloat16 arrays (the
latter from `ml_dtypes`) are computed in float32 and each result rounded once to the dtype,
as real kernels accumulate them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

FLOAT_DTYPES: tuple[str, ...] = ("float64", "float32", "float16", "bfloat16")
HALF_WIDTH: tuple[str, ...] = ("float16", "bfloat16")


def check_arrays(X: np.ndarray, W: np.ndarray, b: np.ndarray | None) -> None:
    """X and W numpy arrays of one float dtype (float64, float32, float16 or bfloat16), b of it
    too or None."""
    for name, arr in (("X", X), ("W", W)):
        if not isinstance(arr, np.ndarray):
            raise ValueError(f"{name} must be a numpy array, got {type(arr).__name__}")
    if X.dtype != W.dtype or X.dtype.name not in FLOAT_DTYPES:
        raise ValueError(
            f"X and W must have one dtype, one of {', '.join(FLOAT_DTYPES)}; "
            f"got {X.dtype} and {W.dtype}"
        )
    if b is not None and (not isinstance(b, np.ndarray) or b.dtype != X.dtype):
        raise ValueError(f"b must be a numpy array of dtype {X.dtype} or None")


def widened(arr: Any) -> Any:
    """A float16/bfloat16 array as float32 (exactly); any other value as it is."""
    if isinstance(arr, np.ndarray) and arr.dtype.name in HALF_WIDTH:
        return arr.astype(np.float32)
    return arr


def narrowed(arr: Any, dtype: np.dtype[Any]) -> Any:
    """A working-precision result rounded once to the arrays' dtype (None stays None)."""
    return None if arr is None else np.ascontiguousarray(arr.astype(dtype, copy=False))


def in_working_precision(fn: Any) -> Any:
    """Run `fn` on float32 copies of float16/bfloat16 arrays and round each array it returns
    once to that dtype; float64 and float32 calls pass through unchanged."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any) -> Any:
        half = [a.dtype for a in args if isinstance(a, np.ndarray) and a.dtype.name in HALF_WIDTH]
        if not half:
            return fn(*args)
        out = fn(*(widened(a) for a in args))
        if isinstance(out, tuple):
            return tuple(narrowed(o, half[0]) for o in out)
        return narrowed(out, half[0])

    return wrapper
