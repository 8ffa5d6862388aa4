"""The checks every reference applies to the arrays it is given, its working precision, and the
backward through the activation every reference shares.

float64 and float32 arrays are computed in their own dtype. float16 and bfloat16 arrays (the
latter from `ml_dtypes`) are computed in float32 and each result rounded once to the dtype,
as real kernels accumulate them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from gradgate.reference_impl.activations import activate, activation_grad

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


def check_bias(b: np.ndarray | None, out_ch: int) -> None:
    if b is not None and b.shape != (out_ch,):
        raise ValueError(f"b must have shape (out_ch,) = ({out_ch},), got {b.shape}")


def check_dy(dY: object, expected: tuple[int, ...]) -> None:
    if not isinstance(dY, np.ndarray) or dY.shape != expected:
        shape = getattr(dY, "shape", type(dY).__name__)
        raise ValueError(f"dY must have shape {expected} (the forward output), got {shape}")


def backward_through_activation(
    dY: np.ndarray,
    X: np.ndarray,
    W: np.ndarray,
    b: np.ndarray | None,
    cfg: Any,
    linear_forward: Callable[..., np.ndarray],
    linear_backward: Callable[..., Any],
    output_shape: Callable[..., tuple[int, ...]],
) -> Any:
    """(dX, dW, db) of sum(dY * activation(Z)) for a layer with linear map Z = linear_forward:
    the arrays checked, dY taken through the activation's derivative at Z (Z recomputed only
    when the activation is not the identity), then the linear map's backward."""
    check_arrays(X, W, b)
    expected = output_shape(X.shape, W.shape, cfg)
    check_bias(b, expected[-1])
    check_dy(dY, expected)
    dZ = dY.astype(X.dtype, copy=False)
    if cfg.activation != "identity":
        Z = linear_forward(X, W, b, cfg)
        dZ = dZ * activation_grad(cfg.activation, Z, activate(cfg.activation, Z))
    return linear_backward(dZ, X, W, cfg, with_bias=b is not None)


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
    once to that dtype; float64 and float32 calls pass through unchanged.  A layer function's X,
    W and b (parameters so named) are checked before they are widened."""
    import functools
    import inspect

    names = list(inspect.signature(fn).parameters)
    layer_arrays = {"X", "W", "b"} <= set(names)

    @functools.wraps(fn)
    def wrapper(*args: Any) -> Any:
        half = [a.dtype for a in args if isinstance(a, np.ndarray) and a.dtype.name in HALF_WIDTH]
        if not half:
            return fn(*args)
        if layer_arrays:  # checked as given: once widened, float16 and float32 would look alike
            named = dict(zip(names, args))
            check_arrays(named["X"], named["W"], named["b"])
        out = fn(*(widened(a) for a in args))
        if isinstance(out, tuple):
            return tuple(narrowed(o, half[0]) for o in out)
        return narrowed(out, half[0])

    return wrapper
