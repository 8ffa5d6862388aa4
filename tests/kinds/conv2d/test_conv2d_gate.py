"""The Conv2D gate: correct implementations pass, every bug in tests/kinds/conv2d/conv2d_bugs.py
fails.

The Conv2D counterparts of tests/oracles/test_oracles.py and
tests/kinds/deconv2d/test_realistic_bugs.py: the
reference and an independent implementation pass the whole `default` grid (the reference also
`full` less its exhaustive geometry product, which takes minutes); every bug fails the
grid meant to catch it (size bugs on the realistic tier and nowhere else, the layout bug
through the layout checks alone, the three-way bug on `full`'s triple covering); backward-only
bugs fail with fd alone and with the adjoint test alone; forward bugs with a consistent
backward get past the adjoint test and not past torch.
"""

from __future__ import annotations

import pytest
from hypothesis import given

from gradgate.cases.case import Case, parse_case_id
from gradgate.cases.conv2d.fuzz import valid_cases
from gradgate.cases.conv2d.grid import grid_cases, triple_configs
from gradgate.cases.conv2d.realistic import REALISTIC_DEFAULT, REALISTIC_FULL
from gradgate.cases.kinds import layer_kind
from gradgate.harness.engine import run_case
from gradgate.harness.loading import load_implementation
from gradgate.harness.result import CaseResult
from tests.hypothesis_settings import derandomized
from tests.kinds.conv2d.conv2d_bugs import CONV2D_BUGS
from tests.oracles.verdicts import caught, caught_cases, first_caught, unreached_taps_not_mirrored

REFERENCE = "reference_impl.conv2d"
ALL_ORACLES = ("torch", "fd", "adjoint")
DEFAULT = grid_cases("default")
REALISTIC_IDS = {c.with_dtype(dt).id for _, c in REALISTIC_DEFAULT for dt in ("float64", "float32")}
SMALL = [c for c in DEFAULT if c.id not in REALISTIC_IDS]


def _grid(name: str) -> list[Case]:
    """The cases of the grid that must catch a bug, realistic or triple-covering ones first."""
    if name == "full":
        return [c for c in grid_cases("full") if c.with_dtype("float64") in triple_configs()]
    return sorted(DEFAULT, key=lambda c: c.id not in REALISTIC_IDS)  # stable: grid order within


def _first_failure(
    name: str, cases: list[Case], oracles: tuple[str, ...], by: tuple[str, ...] | None = None
) -> CaseResult | None:
    """The first case on which bug `name` fails a check `by` names (see
    tests/oracles/verdicts.py)."""
    return first_caught(
        load_implementation(f"tests.kinds.conv2d.conv2d_bugs:{name}"), cases, oracles, by=by
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("spec", "seed"), [(REFERENCE, 0), (REFERENCE, 1), ("tests.kinds.conv2d.independent_conv2d", 0)]
)
def test_correct_implementations_pass_the_default_grid(spec: str, seed: int) -> None:
    impl = load_implementation(spec)
    bad = [r for r in (run_case(impl, c, seed=seed) for c in DEFAULT) if r.status != "passed"]
    assert not bad, [f"{r.id}: {r.message}" for r in bad[:3]]


@pytest.mark.slow
def test_the_reference_passes_the_triple_covering_and_realistic_tiers_of_full() -> None:
    """`full` less its exhaustive geometry product (about 2 minutes on one core, measured)."""
    extra = {c.id for _, c in REALISTIC_FULL} | {c.id for c in triple_configs()}
    cases = [c for c in grid_cases("full") if c.with_dtype("float64").id in extra]
    assert len(cases) == 2 * len(extra)
    impl = load_implementation(REFERENCE)
    bad = [r for r in (run_case(impl, c) for c in cases) if r.status != "passed"]
    assert not bad, [f"{r.id}: {r.message}" for r in bad[:3]]


def test_the_independent_implementation_passes_the_small_cases_at_another_seed() -> None:
    impl = load_implementation("tests.kinds.conv2d.independent_conv2d")
    bad = [r for r in (run_case(impl, c, seed=1) for c in SMALL) if r.status != "passed"]
    assert not bad, [f"{r.id}: {r.message}" for r in bad[:3]]


@derandomized(40)
@given(valid_cases())
def test_the_reference_passes_fuzzed_cases(case: Case) -> None:
    result = run_case(load_implementation(REFERENCE), case)
    assert result.status == "passed", f"rerun: --case {case.id}\n{result.message}"


def test_the_bank_has_every_kind_and_covers_every_output() -> None:
    bugs = CONV2D_BUGS.values()
    assert {b.kind for b in bugs} == {"small", "size", "layout", "three-way"}
    assert sum(b.kind == "size" for b in bugs) == 4
    assert {q for b in bugs for q in b.outputs} >= {"Y", "dX", "dW", "db"}
    factors = {b.factor for b in bugs}
    assert factors >= {"stride", "padding", "dilation", "groups", "batch", "bias", "activation"}
    assert any(b.consistent for b in bugs) and all(
        not b.backward_only for b in bugs if b.consistent
    )


@pytest.mark.parametrize("name", list(CONV2D_BUGS))
def test_every_bug_fails_its_grid(name: str) -> None:
    bug = CONV2D_BUGS[name]
    by = ("layout:",) if bug.kind == "layout" else None
    failure = _first_failure(name, _grid(bug.grid), ALL_ORACLES, by)
    assert failure is not None, f"{name} passed the {bug.grid} grid"
    assert failure.status == "failed", failure.message
    if bug.kind != "layout":  # a layout bug was looked for by its layout: failures
        assert any(k.split(":")[-1] in bug.outputs for k in caught(failure))
    if bug.kind == "size":
        assert failure.id in REALISTIC_IDS
    assert f"--case {failure.id}" in failure.message


@pytest.mark.parametrize("oracle", ["fd", "adjoint"])
@pytest.mark.parametrize("name", [n for n, b in CONV2D_BUGS.items() if b.backward_only])
def test_backward_only_bugs_fail_with_one_self_consistency_oracle(name: str, oracle: str) -> None:
    bug = CONV2D_BUGS[name]
    failure = _first_failure(name, _grid(bug.grid), (oracle,), (f"{oracle}:",))
    assert failure is not None, f"{name} passed the {bug.grid} grid with {oracle} alone"
    assert all(
        k.startswith((oracle, "contract", "repeat", "layout", "reach")) for k in failure.checks
    )
    if bug.kind == "size":
        assert failure.id in REALISTIC_IDS


@pytest.mark.parametrize("name", [n for n, b in CONV2D_BUGS.items() if b.consistent])
def test_forward_bugs_with_a_consistent_backward_fail_torch_on_Y(name: str) -> None:
    failure = _first_failure(name, DEFAULT, ("torch",), ("torch:Y",))
    assert failure is not None


def test_a_consistent_bug_that_reads_what_the_configuration_reads_is_seen_by_torch_only() -> None:
    """Neither fd, nor the adjoint test, nor the reach checks fail it on any case of `default`
    (the layout and repeat checks compare two of its own wrong values: see
    tests/oracles/verdicts.py)."""
    names = [n for n, b in CONV2D_BUGS.items() if b.torch_only]
    assert names
    for name in names:
        for oracle in ("fd", "adjoint"):
            assert _first_failure(name, DEFAULT, (oracle,)) is None, (name, oracle)


def test_a_flipped_kernel_fails_reach_where_a_tap_reaches_no_output() -> None:
    """With its consistent backward the adjoint test holds on every case; `reach:dW` fails on
    exactly the cases where some kernel tap reaches no output (its dW must be exactly 0), and
    nothing else that decides on values fails."""
    impl = load_implementation("tests.kinds.conv2d.conv2d_bugs:kernel_flipped")
    results = caught_cases(impl, DEFAULT, ("adjoint",))
    mirrored = {c.id: c.activation for c in DEFAULT if unreached_taps_not_mirrored(c)}
    assert {r.id for r in results} <= set(mirrored)  # relu may zero the mirror's gradient
    assert {i for i, act in mirrored.items() if act != "relu"} <= {r.id for r in results}
    assert all(caught(r) == ["reach:dW"] for r in results)
    assert all(r.checks["reach:dW"].bound == 0 for r in results)


@pytest.mark.parametrize("name", [n for n, b in CONV2D_BUGS.items() if b.kind == "size"])
def test_size_bugs_hide_from_every_small_case(name: str) -> None:
    assert _first_failure(name, SMALL, ALL_ORACLES) is None


def test_the_layout_bug_fails_with_no_oracle_at_all() -> None:
    failure = _first_failure("im2col_assumes_c_order", DEFAULT, (), ("layout:",))
    assert failure is not None and "layout:" in failure.message
    assert "against the contiguous call" in failure.message


@pytest.mark.parametrize(
    ("name", "factor", "quantities"),
    [
        ("dW_ignores_dilation", "dilated_kernel", ["dW"]),
        ("dX_uses_bottom_padding_for_top", "padding_h", ["dX"]),
        ("db_not_summed_over_batch", "batch", ["db"]),
    ],
)
def test_a_conv2d_bug_is_diagnosed_to_its_factor_and_a_minimal_conv2d_case(
    name: str, factor: str, quantities: list[str]
) -> None:
    """The diagnosis (attribution and minimal case search) works on Conv2D reports as is."""
    from gradgate.harness.diagnosis import diagnose

    spec = f"tests.kinds.conv2d.conv2d_bugs:{name}"
    impl = load_implementation(spec, "conv2d")
    cases = layer_kind("conv2d").grid_cases("default", ("float64",))
    report = {
        "implementation": spec,
        "layer": "conv2d",
        "seed": 0,
        "cases": [run_case(impl, c).as_report() for c in cases],
    }
    diagnosis = diagnose(report, impl=impl)
    assert diagnosis is not None
    first = diagnosis["explanations"][0]
    assert any(f.startswith(factor) for f in first["factors"]), first["text"]
    assert first["quantities"] == quantities
    minimal = diagnosis["minimal_cases"][0]
    assert minimal["id"].startswith("conv2d-") and minimal["passing_neighbour"].startswith(
        "conv2d-"
    )
    found = run_case(impl, parse_case_id(minimal["id"]))
    assert found.status == "failed" and not found.checks[minimal["check"]].passed
    assert run_case(impl, parse_case_id(minimal["passing_neighbour"])).status == "passed"
