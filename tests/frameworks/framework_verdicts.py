"""Per-case verdicts on the smoke grid for one framework: the gate's and a direct comparison's.

Run in the framework's own process (tests/frameworks/verdict_runs.py), so that a framework's
native crash, or torch's float32 conv backward, never runs inside the test process; per case
(gate verdict, direct verdict, failing families).

The direct comparison calls the framework module's forward and backward (twice) by hand and
holds every element to torch float64 within the gate's own error bounds (gradgate.harness.bounds:
the case's declared precision's bound plus float64's, as the torch oracle does): supports() refusing
is "unsupported", an exception is "errored", a wrong shape or dtype or an element off is "failed".
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np

from gradgate.cases.case import Case
from gradgate.cases.kinds import layer_kind
from gradgate.harness.bounds import UNIT_ROUNDOFF, all_bounds, magnitudes
from gradgate.harness.data import case_data
from gradgate.harness.engine import run_case
from gradgate.harness.frameworks import ADAPTERS
from gradgate.harness.loading import load_implementation, module_for
from gradgate.harness.oracles.torch_autograd import torch_results


def _within(got: Any, expected: np.ndarray, bound: np.ndarray, dtype: str) -> bool:
    if not isinstance(got, np.ndarray) or got.shape != expected.shape or got.dtype != dtype:
        return False
    err = np.abs(got.astype(np.float64) - expected)
    return bool(np.isfinite(got).all() and (err <= bound).all())


def direct_verdict(module: Any, case: Case) -> str:
    if module.supports(case.cfg) is not True:
        return "unsupported"
    data = case_data(case, 0)
    args = (data.X.copy(), data.W.copy(), None if data.b is None else data.b.copy())
    expected = torch_results(case, data)
    mag = magnitudes(case, data)
    bounds = all_bounds(case, data, mag, case.precision)
    bounds64 = all_bounds(case, data, mag, UNIT_ROUNDOFF["float64"])
    # The gate's order: a forward that raises is errored, one of the wrong shape or dtype fails
    # the contract; then a backward that raises is errored, whatever the forward's values.
    try:
        Y = module.forward(*args, case.cfg)
    except Exception:
        return "errored"
    if not isinstance(Y, np.ndarray) or Y.shape != expected["Y"].shape or Y.dtype != case.dtype:
        return "failed"
    try:
        first = module.backward(data.dY.copy(), *args, case.cfg)
        second = module.backward(data.dY.copy(), *args, case.cfg)
    except Exception:
        return "errored"
    if not _within(Y, expected["Y"], bounds["Y"] + bounds64["Y"], case.dtype):
        return "failed"
    names = ("dX", "dW", "db")
    got = {"Y": Y, **dict(zip(names, first))}
    again = dict(zip(names, second))
    for q in expected:
        if not _within(got[q], expected[q], bounds[q] + bounds64[q], case.dtype):
            return "failed"
        if q != "Y" and not _within(again[q], got[q].astype(np.float64), bounds[q], case.dtype):
            return "failed"  # two calls on the same inputs disagree beyond rounding
    return "passed"


def verdicts(
    name: str, dtype: str, layer: str = "deconv2d", positions: tuple[int, ...] | None = None
) -> dict[str, tuple[str, str, str]]:
    """Per case of the smoke grid (or of its `positions`, for a framework too slow for all of
    it): the gate's verdict, the direct comparison's, and the families of the gate's failing
    checks ("precision", "torch", ...; "" when none failed)."""
    kind = layer_kind(layer)
    module_name = ADAPTERS[layer][name]
    impl = load_implementation(module_name, layer)
    module = importlib.import_module(module_for(module_name))
    cases = kind.grid_cases("smoke", (dtype,))
    if positions is not None:
        cases = [cases[i] for i in positions]  # an IndexError if the grid shrank below them
    out = {}
    for case in cases:
        result = run_case(impl, case)
        families = sorted({n.split(":")[0] for n, c in result.checks.items() if not c.passed})
        out[case.id] = (result.status, direct_verdict(module, case), ",".join(families))
    return out


def skip_unless_usable(name: str) -> None:
    """In a test: skip when the framework (or what it needs, like tinygrad's clang) is not
    installed, with the framework's own words on what to install."""
    import pytest

    from gradgate.harness.frameworks import FrameworkError, framework_module

    try:
        framework_module(name)
    except FrameworkError as exc:
        pytest.skip(str(exc))
