"""The bank of wrong forward-mode and second-order derivatives (tests/kinds/derivative_bugs.py):
torch float64 sees each bug on the Deconv2D smoke grid, exactly on the cases its mistake
reaches, and nowhere else.  (The gate's own checks of these derivatives are issue 21's rest.)"""

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
