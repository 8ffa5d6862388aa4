"""Non-contiguous inputs holding the same values: does the implementation read them right?

Four layouts, each a numpy array equal to the original element by element:

- ``fortran``: column-major (``np.asfortranarray``);
- ``gapped``: a strided view into a buffer twice as large on every axis, the gaps filled with
  NaN, so code that reads the memory behind the view instead of the view sees NaN;
- ``reversed``: a view with negative strides on every axis (a reversed copy, reversed back);
- ``read-only``: a C-contiguous copy that refuses writes.

Each case makes one extra forward and backward call with every array in a different layout, rotated
by the case id (`layouts_for`): X, W, dY and b take four consecutive layouts starting at an offset
from a SHA-256 of the id.  One call per case keeps the cost at one forward and backward, and across
a grid every array meets every layout (tests/oracles/test_layouts.py checks this on `default`);
doing all four layouts on every case would cost four calls for little more. The results must agree
with the contiguous call's within twice the case's bounds (both are within a bound of the exact
value), as `layout:Y`, `layout:dX`, `layout:dW`, `layout:db`, whose notes name the layouts; a call
that raises is `layout:calls`, a write into the read-only input `layout:inputs`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import numpy as np

from gradgate.cases.case import Case
from gradgate.harness.comparison import Check, compare
from gradgate.harness.contract_checks import ContractViolation, require_array, require_gradients
from gradgate.harness.contract_checks import violation_check as _failed
from gradgate.harness.deadline import CaseTimeout

LAYOUTS: tuple[str, ...] = ("fortran", "gapped", "reversed", "read-only")
ARRAYS: tuple[str, ...] = ("X", "W", "dY", "b")
DESCRIPTIONS = {
    "fortran": "Fortran-ordered",
    "gapped": "a strided view with gaps",
    "reversed": "a reversed view (negative strides)",
    "read-only": "read-only",
}


def in_layout(arr: np.ndarray, layout: str) -> np.ndarray:
    """A new array equal to `arr` element by element, laid out as `layout` says."""
    if layout == "fortran":
        return np.asfortranarray(arr.copy())
    if layout == "gapped":
        buffer = np.full(tuple(2 * n for n in arr.shape), np.nan, dtype=arr.dtype)
        view = buffer[(slice(None, None, 2),) * arr.ndim]
        view[...] = arr
        return view
    if layout == "reversed":
        flip = (slice(None, None, -1),) * arr.ndim
        return arr[flip].copy()[flip]
    if layout == "read-only":
        out = np.array(arr, copy=True, order="C")
        out.flags.writeable = False
        return out
    raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}, got {layout!r}")


def layouts_for(case_id: str) -> dict[str, str]:
    """Which layout each array takes on a case: all different, rotated by the id's hash."""
    offset = hashlib.sha256(case_id.encode()).digest()[0] % len(LAYOUTS)
    return {name: LAYOUTS[(offset + i) % len(LAYOUTS)] for i, name in enumerate(ARRAYS)}


def describe_layouts(chosen: dict[str, str], has_bias: bool) -> str:
    return ", ".join(
        f"{name} {DESCRIPTIONS[layout]}"
        for name, layout in chosen.items()
        if has_bias or name != "b"
    )


def _is_read_only_write(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ValueError) and "read-only" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def layout_checks(
    forward: Callable[..., Any],
    backward: Callable[..., Any],
    case: Case,
    inputs: dict[str, np.ndarray | None],
    contiguous: dict[str, np.ndarray],
    bounds: dict[str, np.ndarray],
    left_to_reach: dict[str, np.ndarray] | None = None,
) -> dict[str, Check]:
    """`layout:*` checks: one forward and backward on the inputs in the case's layouts.

    `inputs` holds X, W, dY, b (None without bias); `contiguous` the results of the ordinary
    call (Y, dX, dW, db); `bounds` their element bounds; `left_to_reach` the entries no product
    reaches where the contiguous call is off its exact value, which `reach:*` reports and this
    comparison skips: two calls of a wrong value there agree or not as their rounding happens
    to (see `gradgate.harness.reach`).
    """
    chosen = layouts_for(case.id)
    arrays = {
        name: None if value is None else in_layout(value, chosen[name])
        for name, value in inputs.items()
    }
    which = describe_layouts(chosen, inputs.get("b") is not None)
    X, W, dY, b = (arrays[name] for name in ARRAYS)
    cfg = case.cfg
    shapes = {k: v.shape for k, v in contiguous.items()}
    try:
        got = {"Y": require_array("Y", forward(X, W, b, cfg), shapes["Y"], case.dtype)}
        got.update(require_gradients(backward(dY, X, W, b, cfg), shapes, case.dtype, case.bias))
    except CaseTimeout:
        raise
    except ContractViolation as exc:
        return {"layout:outputs": _failed(f"with {which}: {exc}")}
    except Exception as exc:  # the implementation's own failure, on these layouts only
        if _is_read_only_write(exc):
            ro = [
                n for n, layout in chosen.items() if layout == "read-only" and arrays[n] is not None
            ]
            return {
                "layout:inputs": _failed(
                    f"wrote into its read-only input {', '.join(ro)} (inputs must not be "
                    f"modified; with {which})"
                )
            }
        text = str(exc).strip().splitlines()
        return {
            "layout:calls": _failed(
                f"raised {type(exc).__name__}{': ' + text[0] if text else ''} with {which}, "
                "though the contiguous call did not"
            )
        }
    checks = {}
    for q, value in got.items():
        skip = (left_to_reach or {}).get(q)
        mask = None if skip is None else ~skip
        check = compare(q, value, contiguous[q], 2 * bounds[q], mask)
        check.note = f"with {which}, against the contiguous call"
        checks[f"layout:{q}"] = check
    return checks
