"""Bugs that hide from tiny shapes fail the grid meant to catch them
(tests/kinds/deconv2d/realistic_bugs.py).

The size bugs pass every small case of `default` and fail on its realistic tier; the layout bug
fails on layout checks alone; the three-way bug fails `full`'s triple covering.
"""

from __future__ import annotations

import pytest

from gradgate.cases.case import Case
from gradgate.cases.deconv2d.grid import grid_cases, triple_configs
from gradgate.cases.deconv2d.realistic import REALISTIC_DEFAULT
from gradgate.harness.loading import load_implementation
from gradgate.harness.result import CaseResult
from tests.kinds.deconv2d.realistic_bugs import REALISTIC_BUGS
from tests.oracles.verdicts import caught, first_caught

REALISTIC_IDS = {c.with_dtype(dt).id for _, c in REALISTIC_DEFAULT for dt in ("float64", "float32")}


def _grid(name: str) -> list[Case]:
    """The cases of the grid that must catch a bug, realistic or triple-covering ones first."""
    if name == "full":
        return [c for c in grid_cases("full") if c.with_dtype("float64") in triple_configs()]
    cases = grid_cases("default")
    return sorted(cases, key=lambda c: c.id not in REALISTIC_IDS)  # stable: grid order within


def _first_failure(
    name: str, cases: list[Case], oracles: tuple[str, ...], by: tuple[str, ...] | None = None
) -> CaseResult | None:
    """The first case on which bug `name` fails a check `by` names (see
    tests/oracles/verdicts.py)."""
    return first_caught(
        load_implementation(f"tests.kinds.deconv2d.realistic_bugs:{name}"), cases, oracles, by=by
    )


def test_the_bank_has_every_kind() -> None:
    assert {b.kind for b in REALISTIC_BUGS.values()} == {"size", "layout", "three-way"}
    assert sum(b.kind == "size" for b in REALISTIC_BUGS.values()) == 4


@pytest.mark.parametrize("name", list(REALISTIC_BUGS))
def test_every_realistic_bug_fails_its_grid(name: str) -> None:
    bug = REALISTIC_BUGS[name]
    failure = _first_failure(name, _grid(bug.grid), ("torch", "fd", "adjoint"), bug.catches)
    assert failure is not None, f"{name} passed the {bug.grid} grid"
    assert failure.status == "failed", failure.message


@pytest.mark.parametrize(
    "name", [n for n, b in REALISTIC_BUGS.items() if b.kind == "size" and b.backward_only]
)
def test_backward_only_size_bugs_fail_with_fd_alone(name: str) -> None:
    """The projections over hundreds of channels catch them, and name an exact element."""
    failure = _first_failure(name, _grid("default"), ("fd",))
    assert failure is not None and failure.id in REALISTIC_IDS
    failing = caught(failure)
    assert set(failing) <= {"fd:dX", "fd:dW", "fd:db"}, failing
    check = failure.checks[failing[0]]
    assert check.n_off >= 1 and check.expected is not None and check.got is not None
    assert abs(check.got - check.expected) > check.bound  # the named element really is off


@pytest.mark.parametrize("name", [n for n, b in REALISTIC_BUGS.items() if b.kind == "size"])
def test_size_bugs_hide_from_every_small_case(name: str) -> None:
    small = [c for c in grid_cases("default") if c.id not in REALISTIC_IDS]
    assert _first_failure(name, small, ("torch", "fd", "adjoint")) is None


def test_the_layout_bug_fails_with_no_oracle_at_all() -> None:
    failure = _first_failure("im2col_assumes_c_order", grid_cases("default"), (), ("layout:",))
    assert failure is not None and "layout:" in failure.message
    assert "against the contiguous call" in failure.message
