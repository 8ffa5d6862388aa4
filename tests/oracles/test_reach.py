"""The reach checks: entries no product reaches hold exact values, judged the same everywhere.

The masks must agree with the reference maths (a sum of no products, exactly zero; anything
reached, not); the bounds must be exactly zero on them; a value there fails `reach:*` with no
oracle at all; and the layout comparison leaves such entries to `reach:*`, so its verdict does
not hang on whether two calls of a wrong value round alike.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from gradgate.cases.case import Case, parse_case_id
from gradgate.cases.kinds import LAYER_KINDS, layer_kind
from gradgate.harness.bounds import UNIT_ROUNDOFF, all_bounds, magnitudes
from gradgate.harness.data import case_data
from gradgate.harness.engine import run_case
from gradgate.harness.loading import Implementation, load_implementation
from gradgate.harness.reach import unreached

# Cases of `full` where each of Y, dX and dW has entries no product reaches (the padding
# crops whole rows/cols of reach, the stride skips outputs or inputs), with a bias.
DECONV = parse_case_id("n2-c4x4-g4-i5x4-k1x4-s2x1-p1.1.4.4-d1x2-op0x0-b1-relu-f64")
CONV = parse_case_id("conv2d-n1-c2x4-g1-i3x2-k1x3-s2x3-p3.3.2.0-d3x1-b1-tanh-f64")


def _kind_cases() -> list[Case]:
    return [c for name in LAYER_KINDS for c in layer_kind(name).grid_cases("default", ("float64",))]


def _ones_maps(case: Case) -> dict[str, np.ndarray]:
    """Y, dX and dW of the reference's linear maps on all-ones inputs: positive where any
    product reaches, a sum of nothing (exactly 0) elsewhere."""
    kind = case.kind
    X, W = np.ones(case.x_shape), np.ones(case.w_shape)
    Y = kind.linear_forward(X, W, None, case.cfg)
    dX, dW, _ = kind.linear_backward(np.ones(case.y_shape), X, W, case.cfg, False)
    return {"Y": Y, "dX": dX, "dW": dW}


def test_the_masks_are_exactly_what_the_reference_maths_reach_on_every_default_case() -> None:
    seen = {q: 0 for q in ("Y", "dX", "dW")}
    for case in _kind_cases():
        masks = unreached(case)
        for q, value in _ones_maps(case).items():
            mask = np.broadcast_to(masks.get(q, np.zeros((1,) * value.ndim, bool)), value.shape)
            assert (value[mask] == 0).all(), (case.id, q)
            assert (value[~mask] > 0).all(), (case.id, q)
            seen[q] += q in masks
    assert all(seen.values()), seen  # the grids exercise every quantity's unreached entries


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_the_element_bounds_are_exactly_zero_where_no_product_reaches(dtype: str) -> None:
    for case in _kind_cases():
        case = case.with_dtype(dtype)
        data = case_data(case, 0)
        bounds = all_bounds(case, data, magnitudes(case, data), UNIT_ROUNDOFF[dtype])
        for q, mask in unreached(case).items():
            if q != "Y":
                assert (bounds[q][np.broadcast_to(mask, bounds[q].shape)] == 0).all(), case.id


@pytest.mark.parametrize("case", [DECONV, CONV], ids=lambda c: c.id)
def test_the_two_named_cases_have_unreached_entries_in_every_quantity(case: Case) -> None:
    assert set(unreached(case)) == {"Y", "dX", "dW"}


@pytest.mark.parametrize("case", [DECONV, CONV], ids=lambda c: c.id)
def test_the_references_pass_the_reach_checks_with_no_oracle(case: Case) -> None:
    impl = Implementation(case.kind.REFERENCE, *_reference(case))
    result = run_case(impl, case, oracles=())
    assert {k for k in result.checks if k.startswith("reach:")} == {
        "reach:Y",
        "reach:dX",
        "reach:dW",
    }
    assert result.status == "passed", result.message


def _reference(case: Case) -> tuple[object, object]:
    loaded = load_implementation(case.kind.REFERENCE)
    return loaded.forward, loaded.backward


def _with_value_where_unreached(case: Case, q: str, value: float) -> Implementation:
    """The reference, with `value` added to the unreached entries of `q` (Y, dX or dW)."""
    forward, backward = _reference(case)
    mask = unreached(case)[q]

    def fwd(X, W, b, cfg):  # type: ignore[no-untyped-def]
        Y = forward(X, W, b, cfg)  # type: ignore[operator]
        return Y + (value * mask).astype(Y.dtype) if q == "Y" else Y

    def bwd(dY, X, W, b, cfg):  # type: ignore[no-untyped-def]
        dX, dW, db = backward(dY, X, W, b, cfg)  # type: ignore[operator]
        if q == "dX":
            dX = dX + (value * mask).astype(dX.dtype)
        if q == "dW":
            dW = dW + (value * mask).astype(dW.dtype)
        return dX, dW, db

    return Implementation("value-where-unreached", fwd, bwd)


@pytest.mark.parametrize("q", ["Y", "dX", "dW"])
@pytest.mark.parametrize("case", [DECONV, CONV], ids=lambda c: c.id)
def test_a_value_where_no_product_reaches_fails_reach_with_no_oracle(case: Case, q: str) -> None:
    result = run_case(_with_value_where_unreached(case, q, 1e-3), case, oracles=())
    failing = sorted(k for k, c in result.checks.items() if not c.passed)
    assert failing == [f"reach:{q}"], result.message
    what = {"Y": "outputs no input reaches", "dX": "inputs that reach no output"}
    assert what.get(q, "kernel taps that reach no output") in result.message


@pytest.mark.parametrize("case", [DECONV, CONV], ids=lambda c: c.id)
def test_the_layout_check_leaves_wrong_unreached_entries_to_reach(case: Case) -> None:
    """Two calls that put different wrong values on unreached dW entries (as two BLAS paths
    rounding a wrong sum differently would): `reach:dW` fails, on the value itself; the layout
    comparison skips those entries, so its verdict does not depend on how the calls round."""
    forward, backward = _reference(case)
    mask = unreached(case)["dW"]
    calls = SimpleNamespace(n=0)

    def bwd(dY, X, W, b, cfg):  # type: ignore[no-untyped-def]
        calls.n += 1
        dX, dW, db = backward(dY, X, W, b, cfg)  # type: ignore[operator]
        return dX, dW + (calls.n * 1e-3 * mask).astype(dW.dtype), db

    result = run_case(Implementation("drifting", forward, bwd), case, oracles=())
    assert not result.checks["reach:dW"].passed
    assert result.checks["layout:dW"].passed, result.message


def test_a_correct_layout_call_is_still_held_to_exact_zeros_where_nothing_reaches() -> None:
    """Where the contiguous call is right, the layout call must be right there too (bound 0)."""
    case = CONV
    forward, backward = _reference(case)
    mask = unreached(case)["dX"]

    def bwd(dY, X, W, b, cfg):  # type: ignore[no-untyped-def]
        dX, dW, db = backward(dY, X, W, b, cfg)  # type: ignore[operator]
        if not (X.flags.c_contiguous and X.flags.writeable):  # only the layout call is off
            dX = dX + (1e-300 * mask).astype(dX.dtype)
        return dX, dW, db

    result = run_case(Implementation("layout-only", forward, bwd), case, oracles=())
    assert result.checks["reach:dX"].passed
    assert not result.checks["layout:dX"].passed
