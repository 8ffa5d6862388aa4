"""Second order and forward mode, for every reference layer: `jvp` and `double_backward`.

A layer is Y = act(Z) with Z = L(X, W) + b and L bilinear, so both follow from the kind's own
linear map L (`linear_forward`) and its transposes (`linear_backward`), vectorized as they are:

- forward mode: tZ = L(tX, W) + L(X, tW) + tb and tY = act'(Z) * tZ;
- the vector-Jacobian product of `backward` (dY, X, W, b) -> (dX, dW, db) with cotangents
  (ddX, ddW, ddb).  Their inner product with (dX, dW, db) is <T, dZ>, where dZ = act'(Z) * dY
  and T = L(ddX, W) + L(X, ddW) + ddb is the jvp of Z along them.  So, with
  R = T * dY * act''(Z):
    gdY = act'(Z) * T
    gX  = L_X^T(R; W) + L_X^T(dZ; ddW)
    gW  = L_W^T(X; R) + L_W^T(ddX; dZ)
    gb  = sum of R over every output position.
  relu's and leaky_relu's act'' is 0, as autograd takes it (their act' is constant on each
  side of the kink).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from gradgate.reference_impl.activations import activate, activation_grad, activation_second
from gradgate.reference_impl.arrays import check_arrays, check_dy, in_working_precision

LinearForward = Callable[..., np.ndarray]
LinearBackward = Callable[..., tuple[np.ndarray, np.ndarray, "np.ndarray | None"]]


def _check_like(name: str, arr: object, like: np.ndarray | None, of: str) -> None:
    """`arr` shaped and typed as `like` (None exactly when `like` is None)."""
    if like is None:
        if arr is not None:
            raise ValueError(f"{name} must be None when {of} is None, got {type(arr).__name__}")
        return
    if arr is None:
        raise ValueError(f"{name} must not be None when {of} is given")
    if not isinstance(arr, np.ndarray) or arr.shape != like.shape or arr.dtype != like.dtype:
        shape = getattr(arr, "shape", type(arr).__name__)
        dtype = getattr(arr, "dtype", "")
        raise ValueError(
            f"{name} must have the shape and dtype of {of}, {like.shape} {like.dtype}; "
            f"got {shape} {dtype}".rstrip()
        )


def _tangent_of_z(
    linear_forward: LinearForward,
    tX: np.ndarray,
    tW: np.ndarray,
    tb: np.ndarray | None,
    X: np.ndarray,
    W: np.ndarray,
    cfg: Any,
) -> np.ndarray:
    """L(tX, W) + L(X, tW) + tb: Z's derivative along (tX, tW, tb)."""
    return linear_forward(tX, W, tb, cfg) + linear_forward(X, tW, None, cfg)


def derivatives(
    linear_forward: LinearForward, linear_backward: LinearBackward
) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """(jvp, double_backward) of the layer act(linear_forward(X, W, b)), whose linear map's
    transposes are `linear_backward(dZ, X, W, cfg, with_bias) -> (dX, dW, db)`."""

    @in_working_precision
    def tangent(tX, tW, tb, X, W, b, cfg):
        Z = linear_forward(X, W, b, cfg)
        Y = activate(cfg.activation, Z)
        tZ = _tangent_of_z(linear_forward, tX, tW, tb, X, W, cfg)
        return Y, activation_grad(cfg.activation, Z, Y) * tZ

    def jvp(
        tX: np.ndarray,
        tW: np.ndarray,
        tb: np.ndarray | None,
        X: np.ndarray,
        W: np.ndarray,
        b: np.ndarray | None,
        cfg: Any,
    ) -> tuple[np.ndarray, np.ndarray]:
        """(Y, tY): the layer's output and its derivative along the tangents (tX, tW, tb)."""
        check_arrays(X, W, b)
        for name, arr, like, of in (("tX", tX, X, "X"), ("tW", tW, W, "W"), ("tb", tb, b, "b")):
            _check_like(name, arr, like, of)
        return tangent(tX, tW, tb, X, W, b, cfg)

    @in_working_precision
    def second(ddX, ddW, ddb, dY, X, W, b, cfg):
        Z = linear_forward(X, W, b, cfg)
        check_dy(dY, Z.shape)
        Y = activate(cfg.activation, Z)
        slope = activation_grad(cfg.activation, Z, Y)
        T = _tangent_of_z(linear_forward, ddX, ddW, ddb, X, W, cfg)
        dZ = dY * slope
        # L's transposes at (ddX, ddW) give both cross terms at once: L_X^T(dZ; ddW), L_W^T(ddX; dZ)
        gX, gW, _ = linear_backward(dZ, ddX, ddW, cfg, False)
        gb = None if b is None else np.zeros_like(b)
        if cfg.activation in ("tanh", "sigmoid"):  # act'' is 0 for the others
            R = T * dY * activation_second(cfg.activation, Z, Y)
            rX, rW, rb = linear_backward(R, X, W, cfg, b is not None)
            gX, gW, gb = gX + rX, gW + rW, rb
        return slope * T, gX, gW, gb

    def double_backward(
        ddX: np.ndarray,
        ddW: np.ndarray,
        ddb: np.ndarray | None,
        dY: np.ndarray,
        X: np.ndarray,
        W: np.ndarray,
        b: np.ndarray | None,
        cfg: Any,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
        """(gdY, gX, gW, gb): the vector-Jacobian product of `backward` with respect to
        (dY, X, W, b), with cotangents (ddX, ddW, ddb) for its outputs (dX, dW, db)."""
        check_arrays(X, W, b)
        for name, arr, like, of in (
            ("ddX", ddX, X, "X"),
            ("ddW", ddW, W, "W"),
            ("ddb", ddb, b, "b"),
        ):
            _check_like(name, arr, like, of)
        if not isinstance(dY, np.ndarray) or dY.dtype != X.dtype:
            got = getattr(dY, "dtype", type(dY).__name__)
            raise ValueError(f"dY must be a numpy array of X's dtype, {X.dtype}; got {got}")
        return second(ddX, ddW, ddb, dY, X, W, b, cfg)

    return jvp, double_backward
