"""The contract's five activations, their derivatives, and the constants the bounds use."""

from __future__ import annotations

import numpy as np

ACTIVATIONS: tuple[str, ...] = ("identity", "relu", "leaky_relu", "tanh", "sigmoid")
LEAKY_SLOPE = 0.01


def activate(name: str, z: np.ndarray) -> np.ndarray:
    """activation(z), in z's dtype."""
    if name == "identity":
        return z
    if name == "relu":
        return np.maximum(z, 0)
    if name == "leaky_relu":
        return np.where(z > 0, z, z * z.dtype.type(LEAKY_SLOPE))
    if name == "tanh":
        return np.tanh(z)
    if name == "sigmoid":
        # Split by sign so exp never overflows.
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    raise ValueError(f"unknown activation {name!r}")


def activation_grad(name: str, z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """d activation / dz at z, given y = activation(z); at a kink, the right-hand derivative."""
    one = z.dtype.type(1)
    if name == "identity":
        return np.ones_like(z)
    if name == "relu":
        return (z > 0).astype(z.dtype)
    if name == "leaky_relu":
        return np.where(z > 0, one, z.dtype.type(LEAKY_SLOPE))
    if name == "tanh":
        return one - y * y
    if name == "sigmoid":
        return y * (one - y)
    raise ValueError(f"unknown activation {name!r}")


def activation_second(name: str, z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """d^2 activation / dz^2 at z, given y = activation(z); 0 for the piecewise-linear ones,
    whose first derivative is constant on each side of the kink (as autograd takes it)."""
    one = z.dtype.type(1)
    if name in ("identity", "relu", "leaky_relu"):
        return np.zeros_like(z)
    if name == "tanh":
        return -2 * y * (one - y * y)
    if name == "sigmoid":
        return y * (one - y) * (one - 2 * y)
    raise ValueError(f"unknown activation {name!r}")


# sup |f'|, sup |f''| and sup |f'''| over the real line; None where the derivative jumps.
LIPSCHITZ: dict[str, float] = {
    "identity": 1.0,
    "relu": 1.0,
    "leaky_relu": 1.0,
    "tanh": 1.0,
    "sigmoid": 0.25,
}
SECOND_DERIVATIVE_MAX: dict[str, float | None] = {
    "identity": 0.0,
    "relu": None,
    "leaky_relu": None,
    "tanh": 4 / (3 * 3**0.5),
    "sigmoid": 1 / (6 * 3**0.5),
}
THIRD_DERIVATIVE_MAX: dict[str, float] = {
    "identity": 0.0,
    "relu": 0.0,
    "leaky_relu": 0.0,
    "tanh": 2.0,
    "sigmoid": 1 / 8,
}
# sup |f''''|, for the truncation of central differences of a backward (rounded up from a
# 4-million-point scan of (-10, 10), beyond which both decay: 4.0859 and 0.12768 there).
FOURTH_DERIVATIVE_MAX: dict[str, float] = {
    "identity": 0.0,
    "relu": 0.0,
    "leaky_relu": 0.0,
    "tanh": 4.1,
    "sigmoid": 0.13,
}
# The jump of f' at the kink z = 0 of a piecewise-linear activation.
KINK_JUMP: dict[str, float] = {"relu": 1.0, "leaky_relu": 1.0 - LEAKY_SLOPE}
