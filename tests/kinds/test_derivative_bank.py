"""The bank of wrong forward-mode and second-order derivatives (tests/kinds/derivative_bugs.py):
torch float64 sees each bug on the Deconv2D smoke grid, exactly on the cases its mistake
reaches, and nowhere else; so do the implementation's own lower derivatives, without torch
(forward against reverse mode, and the second order against differences of the backward),
which the reference keeps on every case.  (The gate's own checks of these derivatives, with
bounds derived from the computation, are held to the same bank in
tests/oracles/test_derivative_checks.py.)"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import numpy as np
import pytest

import gradgate.reference_impl as ref
from gradgate.cases.case import Case
from gradgate.cases.deconv2d.grid import grid_cases
from gradgate.harness.data import case_data
from gradgate.harness.oracles.torch_autograd import kind_double_backward, kind_jvp
from tests.kinds.derivative_bugs import DOUBLE_BACKWARD_BUGS, JVP_BUGS

CASES = grid_cases("smoke", ("float64",))


def _w_reaches(case: Case) -> bool:
    """Whether any kernel tap lands inside the cropped output (else W reaches no output, and
    nothing that goes through it can be seen)."""
    X, W = np.ones(case.x_shape), np.ones(case.w_shape)
    return bool(np.any(ref.linear_forward(X, W, None, case.cfg) != 0))


# Where each bug's mistake reaches: the cases torch must fail, and only those.
REACHES: dict[str, Callable[[Case], bool]] = {
    # the dilated taps land elsewhere (a kernel wider than 1 along a dilated axis); the
    # undilated ones may land in the output where the dilated ones are all cropped away
    "jvp_ignores_dilation": lambda c: (
        (c.dilation[0] > 1 and c.kh > 1) or (c.dilation[1] > 1 and c.kw > 1)
    ),
    "jvp_transposed_kernel_mistake": lambda c: (c.kh > 1 or c.kw > 1) and _w_reaches(c),
    "jvp_bias_tangent_dropped": lambda c: c.bias,
    "activation_second_derivative_sign": lambda c: c.activation in ("tanh", "sigmoid"),
    "double_backward_drops_dY_terms": _w_reaches,
    "double_backward_right_only_at_stride_1": lambda c: c.stride[0] > 1 and _w_reaches(c),
}


def _wrong(case: Case, bug: SimpleNamespace, name: str) -> bool:
    """Whether the bug's derivative differs from torch float64 on the case (beyond 1e-9 of the
    quantity's scale: float64's rounding is 1e-15 of it)."""
    rng = np.random.default_rng(7)
    d = case_data(case, 0)
    args = tuple(
        None if a is None else rng.standard_normal(a.shape).astype(a.dtype) for a in (d.X, d.W, d.b)
    )
    if name in JVP_BUGS:
        got = dict(zip(("Y", "tY"), bug.jvp(*args, d.X, d.W, d.b, case.cfg)))
        expected = kind_jvp(case.kind, args, d.X, d.W, d.b, case.cfg)  # type: ignore[arg-type]
    else:
        values = bug.double_backward(*args, d.dY, d.X, d.W, d.b, case.cfg)
        got = dict(zip(("gdY", "gX", "gW", "gb"), values))
        expected = kind_double_backward(case.kind, args, d.dY, d.X, d.W, d.b, case.cfg)  # type: ignore[arg-type]
    for q, value in expected.items():
        scale = max(1.0, float(np.abs(value).max(initial=0.0)))
        if float(np.abs(got[q] - value).max(initial=0.0)) > 1e-9 * scale:
            return True
    return False


def test_the_bank_holds_the_six_bugs_issue_21_names() -> None:
    assert set(JVP_BUGS) | set(DOUBLE_BACKWARD_BUGS) == set(REACHES)


@pytest.mark.parametrize("name", list(REACHES))
def test_torch_sees_each_bug_exactly_where_its_mistake_reaches(name: str) -> None:
    bug = {**JVP_BUGS, **DOUBLE_BACKWARD_BUGS}[name]
    wrong = {c.id for c in CASES if _wrong(c, bug, name)}
    reached = {c.id for c in CASES if REACHES[name](c)}
    assert wrong, f"{name}: torch sees no case of the smoke grid wrong"
    assert wrong == reached, (sorted(wrong - reached), sorted(reached - wrong))


# Without torch: the implementation's own lower derivatives see each bug on the same cases.
# - forward mode against reverse mode, an identity of linear algebra:
#   <c, jvp(t)> = <t, backward(c)> for every cotangent c and tangent t;
# - the second order against central differences of the implementation's own backward B:
#   <(ddX, ddW, ddb), (B(p + h t) - B(p - h t)) / 2h> = <double_backward(ddX, ddW, ddb), t>,
#   for the point p = (dY, X, W, b) and a tangent t of it.
# Each holds to float64's rounding (the identity) or to O(h^2) (the differences, h = 1e-5 of
# unit-scale data): 1e-6 of the terms' scale tells a bug (off by O(1)) from either.
H = 1e-5


def _inner(a: tuple, b: tuple) -> tuple[float, float]:  # type: ignore[type-arg]
    """sum(a . b) over the pairs of arrays (None pairs with None), and the sum of |a . b|."""
    terms = [x * y for x, y in zip(a, b) if x is not None]
    return float(sum(t.sum() for t in terms)), float(sum(np.abs(t).sum() for t in terms))


def _directions(case: Case, seed: int) -> tuple:  # type: ignore[type-arg]
    rng = np.random.default_rng(seed)
    d = case_data(case, 0)
    return tuple(None if a is None else rng.standard_normal(a.shape) for a in (d.dY, d.X, d.W, d.b))


def _jvp_identity_fails(case: Case, bug: SimpleNamespace) -> bool:
    d = case_data(case, 0)
    c, tX, tW, tb = _directions(case, 8)
    _, tY = bug.jvp(tX, tW, tb, d.X, d.W, d.b, case.cfg)
    lhs, scale_l = _inner((c,), (tY,))
    rhs, scale_r = _inner((tX, tW, tb), bug.backward(c, d.X, d.W, d.b, case.cfg))
    return abs(lhs - rhs) > 1e-6 * max(1.0, scale_l, scale_r)


def _kinks_within(case: Case, step: tuple) -> bool:  # type: ignore[type-arg]
    """Whether a relu or leaky_relu pre-activation crosses 0 along +-step (the backward's
    differences would straddle the kink)."""
    if case.activation not in ("relu", "leaky_relu"):
        return False
    d = case_data(case, 0)
    _, sX, sW, sb = step
    Z = ref.linear_forward(d.X, d.W, d.b, case.cfg)
    dZ = np.abs(ref.linear_forward(sX, d.W, sb, case.cfg)) + np.abs(
        ref.linear_forward(d.X, sW, None, case.cfg)
    )
    return bool(np.any((dZ > 0) & (np.abs(Z) <= 2 * H * dZ)))  # (Z stays put where dZ is 0)


def _second_order_differences_fail(case: Case, bug: SimpleNamespace) -> bool:
    d = case_data(case, 0)
    t = _directions(case, 9)
    assert not _kinks_within(case, t), f"{case.id}: a pre-activation within a step of the kink"
    point = (d.dY, d.X, d.W, d.b)

    def moved(sign: float) -> tuple:  # type: ignore[type-arg]
        p = [None if v is None else v + sign * H * s for v, s in zip(point, t)]
        return bug.backward(p[0], p[1], p[2], p[3], case.cfg)

    ahead, behind = moved(1.0), moved(-1.0)
    jt = tuple(None if a is None else (a - b) / (2 * H) for a, b in zip(ahead, behind))
    dd = _directions(case, 10)[1:]  # cotangents shaped as (dX, dW, db)
    lhs, scale_l = _inner(dd, jt)
    second = bug.double_backward(dd[0], dd[1], dd[2], d.dY, d.X, d.W, d.b, case.cfg)
    rhs, scale_r = _inner(second, t)
    return abs(lhs - rhs) > 1e-6 * max(1.0, scale_l, scale_r)


def _self_consistency_fails(case: Case, bug: SimpleNamespace, name: str) -> bool:
    if name in JVP_BUGS:
        return _jvp_identity_fails(case, bug)
    return _second_order_differences_fail(case, bug)


REFERENCE = SimpleNamespace(
    forward=ref.forward, backward=ref.backward, jvp=ref.jvp, double_backward=ref.double_backward
)


@pytest.mark.parametrize("name", list(REACHES))
def test_the_implementation_s_own_lower_derivatives_see_each_bug_where_torch_does(
    name: str,
) -> None:
    bug = {**JVP_BUGS, **DOUBLE_BACKWARD_BUGS}[name]
    wrong = {c.id for c in CASES if _self_consistency_fails(c, bug, name)}
    reached = {c.id for c in CASES if REACHES[name](c)}
    assert wrong == reached, (sorted(wrong - reached), sorted(reached - wrong))


@pytest.mark.parametrize("derivative", ["jvp", "double_backward"])
def test_the_reference_keeps_both_self_consistency_relations_on_every_smoke_case(
    derivative: str,
) -> None:
    name = "jvp_ignores_dilation" if derivative == "jvp" else "double_backward_drops_dY_terms"
    failing = [c.id for c in CASES if _self_consistency_fails(c, REFERENCE, name)]
    assert not failing, failing
