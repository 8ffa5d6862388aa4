"""The derivatives a gate run checks, and the implementation's results for the higher ones.

- `first`: the backward, (dX, dW, db) = the vector-Jacobian product of the forward with dY
  (always checked: every other derivative builds on it);
- `forward`: forward mode, `jvp(tX, tW, tb, X, W, b, cfg) -> (Y, tY)`, reported as `jY`;
- `second`: `double_backward(ddX, ddW, ddb, dY, X, W, b, cfg) -> (gdY, gX, gW, gb)`, the
  vector-Jacobian product of the backward with respect to (dY, X, W, b).

Both higher functions are optional in the contract (docs/contract.md): where an implementation
lacks one, its cases are `unsupported` for that derivative, with the reason, never failed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from gradgate.cases.case import Case
from gradgate.harness.contract_checks import ContractViolation, require_array
from gradgate.harness.data import CaseData

DERIVATIVES: tuple[str, ...] = ("first", "forward", "second")
DEFAULT: tuple[str, ...] = ("first",)
QUANTITIES: dict[str, tuple[str, ...]] = {
    "first": ("Y", "dX", "dW", "db"),
    "forward": ("jY",),
    "second": ("gdY", "gX", "gW", "gb"),
}
FUNCTION: dict[str, str] = {
    "forward": "jvp(tX, tW, tb, X, W, b, cfg)",
    "second": "double_backward(ddX, ddW, ddb, dY, X, W, b, cfg)",
}


class DerivativeUnsupported(Exception):
    """Raised by an implementation's jvp or double_backward (gradgate's adapters and frameworks)
    when its autodiff does not offer that derivative: the case is `unsupported` for it, with
    this message, never failed."""


def check_derivatives(items: tuple[str, ...], option: str = "--derivatives") -> tuple[str, ...]:
    """The derivatives to check, in DERIVATIVES order; `first` is required."""
    if "first" not in items:
        raise ValueError(
            f"{option} must include first (forward and second build on the checked backward); "
            f"got {','.join(items)}"
        )
    return tuple(d for d in DERIVATIVES if d in items)


# Check quantities of a derivative beyond its results: contract checks, symmetry, jvp's Y.
OTHER_QUANTITIES: dict[str, tuple[str, ...]] = {
    "forward": ("jvp", "jvp_inputs", "jvp.Y"),
    "second": ("double_backward", "double_backward_inputs", "hessian"),
}


def derivative_of(quantity: str) -> str:
    """Which derivative a check's quantity belongs to ('first' for Y, dX, ...)."""
    for name, quantities in QUANTITIES.items():
        if quantity in quantities or quantity in OTHER_QUANTITIES.get(name, ()):
            return name
    return "first"


def require_jvp(value: Any, case: Case) -> tuple[np.ndarray, np.ndarray]:
    """jvp's (Y, tY), checked."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise ContractViolation(f"jvp returned {type(value).__name__}, expected a tuple (Y, tY)")
    Y = require_array("jvp's Y", value[0], case.y_shape, case.dtype)
    return Y, require_array("tY", value[1], case.y_shape, case.dtype)


def require_second(value: Any, case: Case) -> dict[str, np.ndarray]:
    """double_backward's (gdY, gX, gW, gb) as a dict, checked; gb None exactly without b."""
    if not isinstance(value, (tuple, list)) or len(value) != 4:
        raise ContractViolation(
            f"double_backward returned {type(value).__name__}, expected a tuple (gdY, gX, gW, gb)"
        )
    gdY, gX, gW, gb = value
    out = {
        "gdY": require_array("gdY", gdY, case.y_shape, case.dtype),
        "gX": require_array("gX", gX, case.x_shape, case.dtype),
        "gW": require_array("gW", gW, case.w_shape, case.dtype),
    }
    if case.bias:
        out["gb"] = require_array("gb", gb, (case.out_ch,), case.dtype)
    elif gb is not None:
        raise ContractViolation("gb must be None when the case has no bias")
    return out


# Short names for the two functions' signatures, written out in every adapter.
A = np.ndarray
B = np.ndarray | None  # b, and its tangent or cotangent: None without bias
Tangent = tuple[np.ndarray, np.ndarray]  # jvp's (Y, tY)
Second = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]  # (gdY, gX, gW, gb)

Caller = Callable[..., Any]  # the engine's _call(what, fn, *args): marks phases, wraps raises


def second_order(
    call: Caller, fn: Callable[..., Any], case: Case, data: CaseData, along: tuple[Any, ...]
) -> dict[str, np.ndarray]:
    """The implementation's double_backward at cotangents `along`, checked."""
    out = call("double_backward", fn, *along, data.dY, data.X, data.W, data.b, case.cfg)
    return require_second(out, case)
