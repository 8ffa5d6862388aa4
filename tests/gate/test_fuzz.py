"""Fuzzing with Hypothesis: only valid cases are drawn, and failures shrink to a rerunnable id."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from gradgate.cases.case import Case, parse_case_id
from gradgate.cases.deconv2d.fuzz import valid_cases
from gradgate.harness.engine import run_case
from gradgate.harness.loading import load_implementation
from tests.hypothesis_settings import derandomized

FUZZ = derandomized(60)


@FUZZ
@given(valid_cases())
def test_strategy_draws_only_valid_cases(case: Case) -> None:
    assert parse_case_id(case.id) == case  # Case() itself rejects invalid geometry


@FUZZ
@given(valid_cases())
def test_reference_passes_fuzzed_cases(case: Case) -> None:
    result = run_case(load_implementation(), case)
    assert result.status == "passed", f"rerun: --case {case.id}\n{result.message}"


def test_a_failure_shrinks_to_a_minimal_rerunnable_case() -> None:
    impl = load_implementation("tests.kinds.deconv2d.bugged_impls:db_mean_over_batch")
    seen: list[str] = []

    @settings(max_examples=200, derandomize=True, deadline=None, database=None)
    @given(valid_cases(dtypes=("float64",)))
    def check(case: Case) -> None:
        result = run_case(impl, case, oracles=("torch",))
        seen.append(case.id)
        assert result.status == "passed", f"rerun: --case {case.id}"

    with pytest.raises(AssertionError, match=r"rerun: --case (\S+)") as info:
        check()
    minimal = parse_case_id(info.value.args[0].split("--case ")[1].split()[0])
    # The bug needs a batch of 2 and a bias, nothing else: shrinking finds just that.
    assert minimal.batch == 2 and minimal.bias
    assert (minimal.in_h, minimal.in_w, minimal.kh, minimal.kw) == (1, 1, 1, 1)
    assert minimal.stride == (1, 1) and minimal.groups == 1


@pytest.mark.slow
def test_gradgate_fuzz_prints_a_minimal_rerunnable_case() -> None:
    from tests.commands import gradgate

    out = gradgate(
        "fuzz",
        "--impl",
        "tests.kinds.deconv2d.bugged_impls:db_mean_over_batch",
        "--examples",
        "100",
    )
    assert out.returncode == 1, out.stdout + out.stderr
    minimal = "n2-c1x1-g1-i1x1-k1x1-s1x1-p0.0.0.0-d1x1-op0x0-b1-identity-f64"
    assert f"minimal failing case: {minimal} (failed)" in out.stdout
    assert (
        "rerun: gradgate run --impl tests.kinds.deconv2d.bugged_impls:db_mean_over_batch "
        f"--case {minimal}" in (out.stdout)
    )
    clean = gradgate("fuzz", "--examples", "25")
    assert clean.returncode == 0 and "25 random valid cases, no failure" in clean.stdout
