"""The 1-D and 3-D kinds through the gate: the reference and torch's own modules pass, and every
bug of tests/kinds/axis_bugs.py fails the grid meant to catch it, on each of the four kinds.

The counterpart of tests/kinds/conv2d/test_conv2d_gate.py for Conv1D, Deconv1D, Conv3D and
Deconv3D: size bugs hide from every small case (edge cases and pairwise covering) and fail on
the realistic tier, the layout bug fails through the layout checks alone, the three-way bug on
`full`'s triple covering; backward-only bugs fail with fd alone and with the adjoint test alone;
forward bugs with a consistent backward fail torch on Y.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from gradgate.cases.case import Case
from gradgate.cases.kinds import layer_kind
from gradgate.harness.engine import run_case
from gradgate.harness.loading import load_implementation
from gradgate.harness.result import CaseResult
from tests.commands import gate_pytest, gradgate
from tests.kinds.axis_bugs import BUGS, KINDS
from tests.oracles.verdicts import caught, first_caught

# Four kinds' grids and banks: about a minute on two workers, outside the fast loop (the seam of
# every kind stays in it: tests/kinds/test_layer_kinds.py).
pytestmark = pytest.mark.slow
ALL_ORACLES = ("torch", "fd", "adjoint")
TORCH_MODULES = {
    "conv1d": "torch.nn:Conv1d",
    "deconv1d": "torch.nn:ConvTranspose1d",
    "conv3d": "torch.nn:Conv3d",
    "deconv3d": "torch.nn:ConvTranspose3d",
}


@cache
def _tiers(layer: str) -> dict[str, list[Case]]:
    """default's realistic cases, its small ones (edges and pairwise), and full's triples."""
    import importlib

    spec = importlib.import_module(f"gradgate.cases.{layer}.grid").GRID
    tiers = spec.tiers()
    dtypes = ("float64", "float32")
    realistic = [c.with_dtype(dt) for c in tiers.realistic_default for dt in dtypes]
    realistic_ids = {c.id for c in realistic}
    default = layer_kind(layer).grid_cases("default", dtypes)
    return {
        "realistic": realistic,
        "small": [c for c in default if c.id not in realistic_ids],
        "triples": [c.with_dtype(dt) for c in tiers.triples() for dt in dtypes],
    }


def _grid(key: str) -> list[Case]:
    bug = BUGS[key]
    tiers = _tiers(bug.layer)
    if bug.grid == "full":
        return tiers["triples"]
    return tiers["realistic"] + tiers["small"] if bug.kind == "size" else tiers["small"]


def _first_failure(
    key: str, cases: list[Case], oracles: tuple[str, ...], by: tuple[str, ...] | None = None
) -> CaseResult | None:
    impl = load_implementation(f"tests.kinds.axis_bugs:{key}", BUGS[key].layer)
    return first_caught(impl, cases, oracles, by=by)


@pytest.mark.parametrize("layer", KINDS)
def test_the_reference_passes_the_default_grid_at_another_seed(layer: str) -> None:
    impl = load_implementation(layer_kind(layer).REFERENCE, layer)
    for case in layer_kind(layer).grid_cases("default", ("float64", "float32")):
        result = run_case(impl, case, seed=1)
        assert result.status == "passed", (case.id, result.message)


@pytest.mark.parametrize("layer", KINDS)
def test_torch_s_own_module_passes_the_smoke_grid(layer: str) -> None:
    impl = load_implementation(TORCH_MODULES[layer], layer)
    verdicts = Counter(
        run_case(impl, case).status for case in layer_kind(layer).grid_cases("smoke", ("float64",))
    )
    assert verdicts == Counter(passed=sum(verdicts.values())), verdicts


def test_the_bank_holds_every_kind_of_bug_on_every_kind() -> None:
    for layer in KINDS:
        bugs = [b for b in BUGS.values() if b.layer == layer]
        assert {b.kind for b in bugs} == {"small", "size", "layout", "three-way"}
        assert any(b.backward_only for b in bugs) and any(b.consistent for b in bugs)
        assert {q for b in bugs for q in b.outputs} >= {"Y", "dX", "dW", "db"}


@pytest.mark.parametrize("key", list(BUGS))
def test_every_bug_fails_its_grid(key: str) -> None:
    bug = BUGS[key]
    by = ("layout:",) if bug.kind == "layout" else None
    failure = _first_failure(key, _grid(key), ALL_ORACLES, by)
    assert failure is not None, f"{key} passed the {bug.grid} grid"
    assert failure.status == "failed", failure.message
    if bug.kind != "layout":
        assert any(k.split(":")[-1] in bug.outputs for k in caught(failure)), failure.message
    if bug.kind == "size":
        assert failure.id in {c.id for c in _tiers(bug.layer)["realistic"]}
    assert f"--case {failure.id}" in failure.message


@pytest.mark.parametrize("oracle", ["fd", "adjoint"])
@pytest.mark.parametrize("key", [k for k, b in BUGS.items() if b.backward_only])
def test_backward_only_bugs_fail_with_one_self_consistency_oracle(key: str, oracle: str) -> None:
    failure = _first_failure(key, _grid(key), (oracle,), (f"{oracle}:",))
    assert failure is not None, f"{key} passed with {oracle} alone"


@pytest.mark.parametrize("key", [k for k, b in BUGS.items() if b.consistent])
def test_forward_bugs_with_a_consistent_backward_fail_torch_on_Y(key: str) -> None:
    assert _first_failure(key, _grid(key), ("torch",), ("torch:Y",)) is not None


@pytest.mark.parametrize("key", [k for k, b in BUGS.items() if b.kind == "size"])
def test_size_bugs_hide_from_every_small_case(key: str) -> None:
    small = [c for c in _tiers(BUGS[key].layer)["small"] if c.dtype == "float64"]
    assert _first_failure(key, small, ALL_ORACLES) is None


def test_a_3d_kind_through_the_cli_reports_baselines_and_diagnosis(tmp_path: Path) -> None:
    """`gradgate run --layer deconv3d` end to end: a bug's run is diagnosed to its factor with a
    deconv3d minimal case; the reference's run is a baseline the bug regresses against."""
    bug = "tests.kinds.axis_bugs:deconv3d__dW_ignores_dilation"
    ref_dir, bug_dir = tmp_path / "ref", tmp_path / "bug"
    ref = gradgate(
        "run", "--layer", "deconv3d", "--grid", "smoke", "-n", "1", "--report-dir", str(ref_dir)
    )
    assert ref.returncode == 0, ref.stdout[-2000:] + ref.stderr[-2000:]
    out = gradgate(
        "run",
        "--layer",
        "deconv3d",
        "--impl",
        bug,
        "--grid",
        "smoke",
        "-n",
        "1",
        "--baseline",
        str(ref_dir / "report.json"),
        "--report-dir",
        str(bug_dir),
    )
    assert out.returncode == 1, out.stdout[-2000:] + out.stderr[-2000:]
    report = json.loads((bug_dir / "report.json").read_text())
    assert report["layer"] == "deconv3d" and report["regressions"]
    assert all(i.startswith("deconv3d-") for i in report["regressions"])
    case = next(c for c in report["cases"] if c["status"] == "failed")
    assert {"in_d", "in_h", "in_w", "kd", "kh", "kw"} <= set(case["config"])
    diagnosis = report["diagnosis"]
    assert any("dilat" in e["text"] for e in diagnosis["explanations"]), diagnosis
    assert any(m["id"].startswith("deconv3d-") for m in diagnosis["minimal_cases"]), diagnosis


def test_the_pytest_plugin_gates_a_1d_kind(tmp_path: Path) -> None:
    """`--gradgate-layer conv1d` in a user's own pytest session: the kind's smoke grid, one test
    per case, ids with the kind's prefix."""
    out = gate_pytest(
        tmp_path,
        "--gradgate-layer",
        "conv1d",
        "--gradgate-grid",
        "smoke",
        "--gradgate-report-dir",
        str(tmp_path / "r"),
        timeout=600,
    )
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    assert "28 passed" in out.stdout
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    assert report["layer"] == "conv1d" and report["summary"]["passed"] == 28
