"""The diagnosis names the factor a bug lives in and the smallest case that shows it.

Unit tests run the rule search on synthetic reports; the bug-bank tests run the engine
in-process over the default grid in float64 with the torch oracle (it sees every bug of the
bank; the end-to-end test runs all three) and check, for every bug whose failures follow
one factor level (or a pair), that the first explanation names it, that the minimal case
fails its check and that its named neighbour passes.  Correct implementations get no
diagnosis, and failures scattered by a hash get no invented explanation.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

import pytest

from gradgate.cases.case import parse_case_id
from gradgate.cases.deconv2d.grid import grid_cases
from gradgate.harness import cli
from gradgate.harness.diagnosis import DiagnosisSettings, diagnose, with_diagnosis
from gradgate.harness.diagnosis.attribution import attribute, chance
from gradgate.harness.diagnosis.factors import explanation_of, level_named
from gradgate.harness.diagnosis.shrinking import neighbours
from gradgate.harness.engine import run_case
from gradgate.harness.loading import Implementation, load_implementation
from gradgate.harness.reports.diagnosis_section import END, START, diagnosis_lines
from gradgate.harness.reports.report_json import read_report
from tests.commands import gradgate
from tests.kinds.deconv2d.bugged_impls import BUGS

GRID = [c.as_report_config() | {"id": c.id} for c in grid_cases("default", ["float64"])]

# The factor names an explanation may use for each bug's factor.
ALIASES = {"kh": ("kh", "kernel"), "kw": ("kw", "kernel")}
# Bugs whose failures follow no factor level or pair of levels in this grid, and why.
NOT_ONE_FACTOR = {
    "output_padding_as_zeros": "shows only when output padding exceeds the bottom padding "
    "and the added rows are not zero: three factors",
    "last_input_row_ignored": "shows only when the last input row reaches an uncropped output",
    "float32_inside": "every float64 case fails: nothing to contrast (tested on its own)",
    "single_dX_entry_1_1x": "one scaled entry, visible when that entry is not tiny: data",
    "dW_entry_rel_1e-6": "one entry off by 1e-6, visible when the bound is tight: data",
}
ONE_FACTOR = [name for name in BUGS if name not in NOT_ONE_FACTOR]


def _synthetic(fails: Callable[[dict[str, Any]], str | None]) -> list[dict[str, Any]]:
    """Report cases over the default grid; `fails(config)` names the failing quantity."""
    out = []
    for config in GRID:
        quantity = fails(config)
        checks = {f"torch:{q}": {"passed": q != quantity} for q in ("Y", "dX", "dW")}
        status = "failed" if quantity else "passed"
        out.append({"id": config["id"], "status": status, "config": config, "checks": checks})
    return out


def test_one_level_is_named_with_its_fit() -> None:
    cases = _synthetic(lambda c: "dW" if c["dilation"][0] > 1 else None)
    (found,) = attribute(cases).explanations
    n_failing = sum(c["status"] == "failed" for c in cases)
    assert found.factors == {"dilation_h": ">1"}
    assert (found.failing_covered, found.failing_total, found.passing_matched) == (
        n_failing,
        n_failing,
        0,
    )
    assert found.text.startswith(f"all {n_failing} failures have dilation_h > 1; every such")
    assert found.quantities == ("dW",) and found.text.endswith("only dW is wrong")


def test_a_pair_is_named_when_neither_level_alone_explains() -> None:
    cases = _synthetic(lambda c: "Y" if c["groups"] > 1 and c["output_padding"] != [0, 0] else None)
    (found,) = attribute(cases).explanations
    assert set(found.factors) == {"groups", "output_padding"}
    assert found.passing_matched == 0 and found.failing_covered == found.failing_total
    assert "together" in found.text and "Y is wrong: a forward bug" in found.text


def test_two_bugs_get_two_explanations() -> None:
    def fails(c: dict[str, Any]) -> str | None:
        if c["activation"] == "tanh":
            return "dX"
        return "db" if c["batch"] > 1 and c["bias"] else None

    found = attribute(_synthetic(fails)).explanations
    assert [e.factors for e in found] == [{"batch": ">1", "bias": "yes"}, {"activation": "tanh"}]
    assert "other" in found[1].text


@pytest.mark.parametrize("salt", range(5))
def test_scattered_failures_get_no_invented_explanation(salt: int) -> None:
    def fails(c: dict[str, Any]) -> str | None:
        digest = hashlib.sha256(f"{salt}/{c['id']}".encode()).digest()
        return "dW" if digest[0] % 3 == 0 else None

    attribution = attribute(_synthetic(fails))
    assert attribution.explanations == ()
    assert attribution.note.startswith("no simple rule explains the")
    assert "(only dW is wrong)" in attribution.note


def test_every_case_failing_is_said_plainly() -> None:
    (found,) = attribute(_synthetic(lambda c: "Y")).explanations
    assert found.factors == {} and found.text.startswith("every case fails")


def test_no_failure_no_diagnosis() -> None:
    cases = _synthetic(lambda c: None)
    report = {"implementation": "x", "seed": 0, "cases": cases}
    assert diagnose(report) is None
    assert "diagnosis" not in with_diagnosis(report | {"diagnosis": {}}, DiagnosisSettings())


def test_chance_is_the_hypergeometric_tail() -> None:
    assert chance(10, 2, 2, 2) == pytest.approx(1 / 45)  # both failures in a given pair
    assert chance(10, 5, 10, 5) == pytest.approx(1.0)
    assert chance(48, 8, 8, 8) < 1e-8


def test_neighbours_are_valid_and_simpler() -> None:
    case = parse_case_id("n2-c4x8-g4-i3x4-k3x3-s2x2-p1.1.1.1-d1x1-op1x0-b1-tanh-f32")
    found = neighbours(case)
    assert len({c.id for c, _ in found}) == len(found) > 10
    assert "n1-c4x8-g4-i3x4-k3x3-s2x2-p1.1.1.1-d1x1-op1x0-b1-tanh-f32" in [c.id for c, _ in found]
    # stride 1 on rows needs output padding 0 there: only the move that also drops it exists
    assert not any(c.stride[0] == 1 and c.output_padding[0] == 1 for c, _ in found)


# --- the engine, in process, on the default grid in float64 ------------------------------------


ORACLES = ("torch",)  # it sees every bug of the bank; the command end to end runs all three


@cache
def _report(impl_spec: str, seed: int = 0) -> dict[str, Any]:
    impl = load_implementation(impl_spec)
    grid = grid_cases("default", ["float64"])
    cases = [run_case(impl, c, seed=seed, oracles=ORACLES).as_report() for c in grid]
    return {"implementation": impl_spec, "seed": seed, "cases": cases}


def _fails(impl: Implementation, case_id: str, check: str) -> bool:
    result = run_case(impl, parse_case_id(case_id), oracles=ORACLES)
    return result.status == "failed" and not result.checks[check].passed


@pytest.mark.parametrize("name", ONE_FACTOR)
def test_the_bug_bank_is_diagnosed_to_its_factor_and_a_minimal_case(name: str) -> None:
    bug, spec = BUGS[name], f"tests.kinds.deconv2d.bugged_impls:{name}"
    impl = load_implementation(spec)
    diagnosis = diagnose(_report(spec), impl=impl)
    assert diagnosis is not None
    first = diagnosis["explanations"][0]
    names = ALIASES.get(bug.factor, (bug.factor,))
    assert any(f.startswith(names) for f in first["factors"]), first["text"]
    assert ("Y" in first["quantities"]) == (not bug.backward_only)

    minimal = diagnosis["minimal_cases"][0]
    assert explanation_of(minimal["id"], diagnosis["explanations"]) == 0
    assert _fails(impl, minimal["id"], minimal["check"])
    neighbour = minimal["passing_neighbour"]
    assert run_case(impl, parse_case_id(neighbour), oracles=ORACLES).status == "passed"
    assert neighbour in [c.id for c, _ in neighbours(parse_case_id(minimal["id"]))]
    rule = [level_named(f, v) for f, v in first["factors"].items()]
    assert not all(level.holds(parse_case_id(neighbour).as_report_config()) for level in rule)
    smallest = min(
        (parse_case_id(c["id"]) for c in _report(spec)["cases"] if c["status"] == "failed"),
        key=lambda c: c.batch * c.in_ch * c.out_ch * c.in_h * c.in_w * c.kh * c.kw,
    )
    found = parse_case_id(minimal["id"])
    assert found.batch * found.in_ch * found.out_ch * found.in_h * found.in_w <= (
        smallest.batch * smallest.in_ch * smallest.out_ch * smallest.in_h * smallest.in_w
    )


def test_the_dilation_bug_reads_as_the_issue_asks() -> None:
    spec = "tests.kinds.deconv2d.bugged_impls:dilation_ignored_in_backward"
    diagnosis = diagnose(_report(spec), impl=load_implementation(spec))
    assert diagnosis is not None
    minimal = diagnosis["minimal_cases"][0]
    assert minimal["id"] == "n1-c1x1-g1-i1x1-k2x1-s1x1-p0.0.0.0-d2x1-op0x0-b0-identity-f64"
    assert minimal["passing_neighbour"] == minimal["id"].replace("d2x1", "d1x1")


@pytest.mark.parametrize("name", ["single_dX_entry_1_1x", "dW_entry_rel_1e-6"])
def test_bugs_in_one_entry_get_no_factor(name: str) -> None:
    diagnosis = diagnose(_report(f"tests.kinds.deconv2d.bugged_impls:{name}"), search=False)
    assert diagnosis is not None and diagnosis["explanations"] == []
    assert diagnosis["note"].startswith("no simple rule")


def test_a_float32_computation_fails_everything_and_is_said_so() -> None:
    diagnosis = diagnose(_report("tests.kinds.deconv2d.bugged_impls:float32_inside"), search=False)
    assert diagnosis is not None and diagnosis["explanations"][0]["factors"] == {}
    assert "no case passed" in diagnosis["note"]


def test_failures_scattered_by_a_hash_get_no_explanation() -> None:
    spec = "tests.diagnosis.diagnosis_impls:wrong_dw_by_hash"
    report = _report(spec)
    assert sum(c["status"] == "failed" for c in report["cases"]) >= 8
    diagnosis = diagnose(report, impl=load_implementation(spec))
    assert diagnosis is not None and diagnosis["explanations"] == []
    assert "it names no factor" in diagnosis["note"]
    assert len(diagnosis["minimal_cases"]) == 1


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_reference_gets_no_diagnosis(seed: int) -> None:
    assert diagnose(_report("reference_impl", seed)) is None


def test_a_crash_in_the_search_costs_only_the_minimal_case() -> None:
    spec = "tests.diagnosis.diagnosis_impls:crashes_on_one_row"
    case = parse_case_id("n2-c1x1-g1-i2x2-k2x2-s1x1-p0.0.0.0-d1x1-op0x0-b0-identity-f64")
    result = run_case(load_implementation(spec), case).as_report()
    assert result["status"] == "failed"
    report = {"implementation": spec, "seed": 0, "cases": [result]}
    diagnosis = diagnose(report, settings=DiagnosisSettings(seconds=20))  # in a child process
    assert diagnosis is not None
    assert "the search process ended with status" in diagnosis["note"]
    (minimal,) = diagnosis["minimal_cases"]  # the progress made before the crash is kept
    assert minimal["id"] == case.id.replace("n2-", "n1-") and minimal["check"] == "torch:dW"
    assert "stopped early at the end of its process" in diagnosis["note"]


def test_a_search_out_of_budget_says_it_stopped_early() -> None:
    spec = "tests.kinds.deconv2d.bugged_impls:dilation_ignored_in_backward"
    settings = DiagnosisSettings(max_calls=3)
    diagnosis = diagnose(_report(spec), impl=load_implementation(spec), settings=settings)
    assert diagnosis is not None
    assert "stopped early at the limit of" in diagnosis["note"]


def test_a_report_whose_implementation_cannot_be_loaded_keeps_its_attribution() -> None:
    report = dict(_report("tests.kinds.deconv2d.bugged_impls:tanh_grad_from_Z"))
    report["implementation"] = "no_such_module_xyz"
    diagnosis = diagnose(report, settings=DiagnosisSettings(seconds=5))
    assert diagnosis is not None and diagnosis["explanations"][0]["factors"] == {
        "activation": "tanh"
    }
    assert "no minimal case search: the implementation cannot be loaded" in diagnosis["note"]
    assert diagnosis["minimal_cases"] == []


# --- the command, end to end ---------------------------------------------------------------------


@pytest.mark.slow
def test_run_opens_with_the_diagnosis_and_explain_writes_it_back(tmp_path: Path) -> None:
    impl = "tests.kinds.deconv2d.bugged_impls:dilation_ignored_in_backward"
    args = ("run", "--impl", impl, "--grid", "smoke", "-n", "1")
    out = gradgate(*args, "--report-dir", str(tmp_path))
    assert out.returncode == 1, out.stderr
    report = read_report(tmp_path / "report.json")
    diagnosis = report["diagnosis"]
    assert set(diagnosis) == {"explanations", "minimal_cases", "note"}
    assert all(set(m) == {"id", "check", "passing_neighbour"} for m in diagnosis["minimal_cases"])
    first = diagnosis["explanations"][0]
    assert "dilat" in first["text"] and set(first) == {
        "text",
        "factors",
        "quantities",
        "failing_covered",
        "failing_total",
        "passing_matched",
    }
    minimal = diagnosis["minimal_cases"][0]
    summary = out.stdout.split("=" * 30 + " gradgate " + "=" * 30 + "\n", 1)[1]
    assert summary.startswith("diagnosis") and first["text"] in summary.splitlines()[0]
    assert f"--case {minimal['id']} --seed 0" in summary.split("FAIL:")[0]
    md = (tmp_path / "summary.md").read_text()
    assert md.split("\n")[2:4] == [START, "## Diagnosis"] and first["text"] in md
    html = (tmp_path / "report.html").read_text()
    assert html.index('id="diagnosis"') < html.index("<h2>Failures")

    stale = dict(report, diagnosis={"explanations": [], "minimal_cases": [], "note": "old"})
    (tmp_path / "report.json").write_text(json.dumps(stale))
    again = gradgate("explain", str(tmp_path / "report.json"))
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines() == diagnosis_lines(report)
    assert read_report(tmp_path / "report.json")["diagnosis"] == diagnosis
    for name, shown in (("summary.md", first["text"]), ("report.html", escape(first["text"]))):
        text = (tmp_path / name).read_text()
        assert text.count(START) == text.count(END) == 1 and shown in text
    assert (tmp_path / "report.html").read_text().count('alt="error heatmap for') == sum(
        c["status"] == "failed" for c in report["cases"]
    )


@pytest.mark.slow
def test_no_diagnosis_flag_and_bad_budget(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = "n1-c1x1-g1-i1x1-k2x1-s1x1-p0.0.0.0-d2x1-op0x0-b0-identity-f64"
    impl = "tests.kinds.deconv2d.bugged_impls:dilation_ignored_in_backward"
    out = gradgate("run", "--impl", impl, "-n", "1", "--case", case, "--no-diagnosis",
                   "--report-dir", str(tmp_path))  # fmt: skip
    assert out.returncode == 1 and "diagnosis" not in read_report(tmp_path / "report.json")
    assert "diagnosis:" not in out.stdout and "smallest failing case" not in out.stdout
    bad_run = ["run", "--diagnosis-seconds", "0", "--report-dir", str(tmp_path)]
    bad_explain = ["explain", str(tmp_path / "report.json"), "--diagnosis-seconds", "-1"]
    for args in (bad_run, bad_explain):  # in process: both stop before running anything
        assert cli.main(args) == 2
        assert "--diagnosis-seconds must be a positive number" in capsys.readouterr().err
    assert cli.main(["explain", str(tmp_path / "nope.json")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_without_an_explanation_the_note_heads_the_minimal_case() -> None:
    minimal = "n1-c1x1-g1-i1x1-k1x1-s1x1-p0.0.0.0-d1x1-op0x0-b0-identity-f64"
    report = {
        "implementation": "pkg:impl",
        "seed": 3,
        "diagnosis": {
            "explanations": [],
            "minimal_cases": [{"id": minimal, "check": "torch:dW", "passing_neighbour": ""}],
            "note": "no simple rule explains the 9 failing cases",
        },
    }
    assert diagnosis_lines(report) == [
        "diagnosis: no simple rule explains the 9 failing cases",
        f"  smallest failing case: {minimal} fails torch:dW; no one-step simplification of it "
        "passes",
        f"  rerun: gradgate run --impl pkg:impl --case {minimal} --seed 3",
    ]
