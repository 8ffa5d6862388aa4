"""What every result must be, whatever its values: arrays of the right shape and dtype, finite."""

from __future__ import annotations

from typing import Any

import numpy as np

from gradgate.harness.comparison import Check


class ContractViolation(Exception):
    """An implementation returned something the contract does not allow."""


def violation_check(reason: str) -> Check:
    """A failed check that records a contract violation (no numbers to compare)."""
    return Check(False, float("inf"), float("inf"), float("inf"), [], 1, 1, note=reason)


def require_array(name: str, value: Any, shape: tuple[int, ...], dtype: str) -> np.ndarray:
    """`value` itself if it is a finite `dtype` array of `shape`, else ContractViolation."""
    if not isinstance(value, np.ndarray):
        raise ContractViolation(f"{name} is {type(value).__name__}, not a numpy array")
    if value.shape != shape:
        raise ContractViolation(f"{name} has shape {value.shape}, expected {shape}")
    if value.dtype != np.dtype(dtype):
        raise ContractViolation(f"{name} has dtype {value.dtype}, expected {dtype}")
    if not np.isfinite(value).all():
        bad = np.argwhere(~np.isfinite(value))
        raise ContractViolation(
            f"{name} has {len(bad)} non-finite value(s) from finite inputs, "
            f"first at {tuple(int(i) for i in bad[0])}"
        )
    return value


def require_gradients(
    value: Any, shapes: dict[str, tuple[int, ...]], dtype: str, has_bias: bool
) -> dict[str, np.ndarray]:
    """backward's (dX, dW, db) as a dict, checked; db must be None exactly when there is no b."""
    if not isinstance(value, (tuple, list)) or len(value) != 3:
        raise ContractViolation(
            f"backward returned {type(value).__name__}, expected a tuple (dX, dW, db)"
        )
    dX, dW, db = value
    out = {
        "dX": require_array("dX", dX, shapes["dX"], dtype),
        "dW": require_array("dW", dW, shapes["dW"], dtype),
    }
    if has_bias:
        out["db"] = require_array("db", db, shapes["db"], dtype)
    elif db is not None:
        raise ContractViolation("db must be None when the case has no bias")
    return out


def changed_inputs(
    before: dict[str, np.ndarray | None], after: dict[str, np.ndarray | None]
) -> str:
    """Names of the inputs whose values changed during the calls ('' when none did)."""
    changed = [
        name
        for name, old in before.items()
        if old is not None and not np.array_equal(old, np.asarray(after[name]), equal_nan=True)
    ]
    return ", ".join(changed)
