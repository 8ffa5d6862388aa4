"""End to end: the real `gradgate` command in a subprocess, its exit status and its reports."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from gradgate.harness.reports.report_json import read_report
from tests.commands import ROOT, gradgate

pytestmark = pytest.mark.slow  # every test runs the real command

TANH_CASE = "n2-c2x3-g1-i1x1-k3x3-s2x2-p0.0.0.0-d1x1-op0x0-b1-tanh-f64"
PLAIN_CASE = "n2-c2x3-g1-i3x4-k2x2-s3x4-p0.0.0.0-d1x1-op2x1-b1-identity-f64"
OTHER_TANH = "n2-c4x8-g4-i3x4-k3x3-s2x2-p1.1.1.1-d1x1-op0x0-b0-tanh-f32"


def _statuses(report: dict) -> dict[str, str]:
    return {c["id"]: c["status"] for c in report["cases"]}


def _results(report: dict) -> list[tuple]:
    """Everything per case except timings."""
    return [
        (c["id"], c["status"], json.dumps(c["checks"], sort_keys=True), c["message"])
        for c in report["cases"]
    ]


def test_reference_passes_and_every_report_is_written(tmp_path: Path) -> None:
    out = gradgate("run", "--grid", "smoke", "--report-dir", str(tmp_path))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "PASS: 30 passed, 0 failed, 0 errored, 0 unsupported of 30 cases" in out.stdout
    report = read_report(tmp_path / "report.json")
    assert report["implementation"] == "reference_impl" and report["grid"] == "smoke"
    assert set(report["environment"]) >= {"python", "numpy", "torch", "platform"}
    assert report["summary"] == {
        "total": 30,
        "passed": 30,
        "failed": 0,
        "errored": 0,
        "unsupported": 0,
    }
    case = report["cases"][0]
    assert set(case) == {"id", "status", "config", "checks", "message", "duration_s", "precision"}
    assert set(case["precision"]) == {"Y", "dX", "dW", "db"}
    assert set(case["checks"]) >= {"torch:Y", "torch:dX", "fd:dX", "adjoint:dX"}
    for check in case["checks"].values():
        assert {"passed", "max_abs_err", "max_rel_err", "error_ratio", "worst_index"} <= set(check)
    junit = ET.parse(tmp_path / "junit.xml").getroot()
    props = junit.findall(".//testcase/properties/property")
    ratios = [p for p in props if p.get("name") == "torch:dX:error_ratio"]
    assert len(ratios) == 30 and all(float(p.get("value")) <= 1 for p in ratios)
    summary = (tmp_path / "summary.md").read_text()
    assert summary.startswith("# gradgate: `reference_impl` on the `smoke` grid")
    html = (tmp_path / "report.html").read_text()
    assert html.startswith("<!DOCTYPE html>") and case["id"] in html
    assert not list(tmp_path.glob(".*"))  # no temporary files left behind


def test_bugged_implementation_fails_with_named_cases_and_pictures(tmp_path: Path) -> None:
    out = gradgate(
        "run",
        "--grid",
        "smoke",
        "--report-dir",
        str(tmp_path),
        "--impl",
        "tests.kinds.deconv2d.bugged_impls:single_dX_entry_1_1x",
    )
    assert out.returncode == 1
    report = read_report(tmp_path / "report.json")
    failed = [c for c in report["cases"] if c["status"] == "failed"]
    assert failed and all("torch:dX" in c["message"] for c in failed)
    assert f"FAILED   {failed[0]['id']}: torch:dX: 1 of" in out.stdout
    assert "--case " + failed[0]["id"] in failed[0]["message"]
    html = (tmp_path / "report.html").read_text()
    assert html.count('alt="error heatmap for') == len(failed)
    assert html.count("data:image/png;base64,") == len(failed)
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" role="img"') == 1  # precision
    assert "## Failing cases" in (tmp_path / "summary.md").read_text()


# What each fault of tests/gate/faulty_impls.py makes of the cases it strikes.
FAULT_VERDICTS: dict[str, tuple[str, str]] = {
    "raises": ("errored", "backward raised ZeroDivisionError: deliberate fault"),
    "nan_gradient": ("failed", "non-finite value"),
    "wrong_shape": ("failed", "Y has shape"),
    "wrong_dtype": ("failed", "dX has dtype float16"),
    "returns_none": ("failed", "backward returned NoneType"),
    "mutates_input": ("failed", "modified their inputs: dY"),
    "exits_process": ("errored", "worker process died in the implementation's forward"),
    "segfaults": ("errored", "died in the implementation's forward (Fatal Python error: Segm"),
}


def _struck_cases(batch: int) -> tuple[str, str]:
    """The two tanh cases (float64 and float32) that faulty_impls.every_fault strikes with its
    fault number `batch`."""
    return TANH_CASE.replace("n2-", f"n{batch}-", 1), OTHER_TANH.replace("n2-", f"n{batch}-", 1)


def test_faults_take_down_only_their_own_cases(tmp_path: Path) -> None:
    """One run, every fault at once: each fault errors or fails exactly its own two cases with
    its own message, crashes included, and the plain case passes."""
    from tests.gate.faulty_impls import EVERY_FAULT

    assert list(EVERY_FAULT) == list(FAULT_VERDICTS)
    struck = {case: fault for i, fault in enumerate(EVERY_FAULT) for case in _struck_cases(i + 1)}
    case_args = [arg for case in [PLAIN_CASE, *struck] for arg in ("--case", case)]
    out = gradgate(
        "run",
        "--impl",
        "tests.gate.faulty_impls:every_fault",
        "--no-diagnosis",  # tests/diagnosis: a crash in the search costs only its case
        "-n",
        "2",
        "--report-dir",
        str(tmp_path),
        *case_args,
    )
    assert out.returncode == 1, out.stdout + out.stderr
    report = read_report(tmp_path / "report.json")
    by_id = {c["id"]: c for c in report["cases"]}
    assert sorted(by_id) == sorted([PLAIN_CASE, *struck])
    assert by_id[PLAIN_CASE]["status"] == "passed"
    wrong = []
    for case, fault in struck.items():
        status, text = FAULT_VERDICTS[fault]
        got = by_id[case]
        if got["status"] != status or text not in got["message"]:
            wrong.append(f"{fault} on {case}: {got['status']}: {got['message'][:200]}")
    assert not wrong, "\n".join(wrong)
    assert "Traceback" not in out.stdout


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("hangs", "exceeded the per-case timeout of 3 s"),  # the soft limit interrupts it
        # only the hard limit (5 s later, the least grace) can end it
        ("hangs_unstoppably", "was stopped: hard time limit of 8 s reached, still in the impl"),
    ],
)
def test_timeouts_error_the_case_and_the_run_goes_on(
    tmp_path: Path, fault: str, reason: str
) -> None:
    """A hung case is ended by its limit (the subprocess's own 300 s timeout guards the test);
    the limit is ample for the plain case (well under a second) even on a loaded machine."""
    args = f"run --impl tests.gate.faulty_impls:{fault} -n 1 --timeout 3 --case {TANH_CASE}"
    out = gradgate(*args.split(), "--case", PLAIN_CASE, "--report-dir", str(tmp_path))
    assert out.returncode == 1
    report = read_report(tmp_path / "report.json")
    assert _statuses(report) == {TANH_CASE: "errored", PLAIN_CASE: "passed"}
    assert reason in out.stdout
    hung = next(c for c in report["cases"] if c["id"] == TANH_CASE)
    if fault == "hangs_unstoppably":  # stopped by the hard limit: not rerun, one attempt
        assert "not run again automatically" in hung["message"] and len(hung["attempts"]) == 1, hung


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--impl", "no_such_module_xyz"], "cannot import module 'no_such_module_xyz'"),
        (["--impl", "tests.gate.faulty_impls:missing"], "has no attribute 'missing'"),
        (
            ["--impl", "tests.gate.faulty_impls:no_backward"],
            "backward(dY, X, W, b, cfg) is missing",
        ),
        (["--grid", "huge"], "--grid accepts smoke, default, full; got 'huge'"),
        (
            ["--dtype", "float8"],
            "--dtype accepts float64, float32, float16, bfloat16 or all; got 'float8'",
        ),
        (["--oracles", "torch,magic"], "--oracles accepts torch, fd, adjoint; got 'magic'"),
        (["-n", "0"], "-n must be 'auto' or a whole number >= 1"),
        (["--case", "n1-bad"], "--case: case id 'n1-bad' does not read as"),
        (["--timeout", "-1"], "--timeout must be a positive number of seconds"),
        (["--baseline", "/nonexistent/report.json"], "--baseline: report /nonexistent"),
    ],
)
def test_usage_errors_exit_2_with_one_line(args: list[str], message: str, tmp_path: Path) -> None:
    out = gradgate("run", "--report-dir", str(tmp_path), *args)
    assert out.returncode == 2
    assert message in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr


def test_unreadable_baseline_is_a_usage_error_and_is_left_alone(tmp_path: Path) -> None:
    baseline = tmp_path / "old.json"
    baseline.write_text("{not json")
    out = gradgate("run", "--baseline", str(baseline), "--report-dir", str(tmp_path / "r"))
    assert out.returncode == 2 and "not readable JSON" in out.stderr
    assert baseline.read_text() == "{not json"


def test_baseline_regressions_fail_the_run_and_are_reported(tmp_path: Path) -> None:
    base_dir, new_dir = tmp_path / "base", tmp_path / "new"
    assert (
        gradgate(
            "run", "--grid", "smoke", "--dtype", "float64", "--report-dir", str(base_dir)
        ).returncode
        == 0
    )
    out = gradgate(
        "run",
        "--grid",
        "smoke",
        "--dtype",
        "float64",
        "--impl",
        "tests.kinds.deconv2d.bugged_impls:db_mean_over_batch",
        "--no-diagnosis",  # tests/diagnosis holds the diagnosis to account
        "--baseline",
        str(base_dir / "report.json"),
        "--report-dir",
        str(new_dir),
    )
    assert out.returncode == 1
    report = read_report(new_dir / "report.json")
    failing = sorted(c["id"] for c in report["cases"] if c["status"] != "passed")
    assert sorted(report["regressions"]) == failing and failing
    assert "Regressions against the baseline" in (new_dir / "summary.md").read_text()
    assert "Regressions against the baseline" in (new_dir / "report.html").read_text()
    cmp = gradgate("compare", str(base_dir / "report.json"), str(new_dir / "report.json"))
    assert cmp.returncode == 1 and f"REGRESSED {failing[0]}" in cmp.stdout
    same = gradgate("compare", str(base_dir / "report.json"), str(base_dir / "report.json"))
    assert same.returncode == 0 and same.stdout.startswith("0 regressed, 0 fixed, 0 drifted")


def test_same_results_with_one_worker_two_workers_and_merged_shards(tmp_path: Path) -> None:
    runs = {}
    for name, extra in (
        ("n1", ["-n", "1"]),
        ("n2", ["-n", "2"]),
        ("shard1", ["-n", "1", "--splits", "2", "--group", "1"]),
        ("shard2", ["-n", "2", "--splits", "2", "--group", "2"]),
    ):
        out = gradgate(
            "run", "--grid", "smoke", "--seed", "5", "--report-dir", str(tmp_path / name), *extra
        )
        assert out.returncode == 0, out.stdout + out.stderr
        runs[name] = read_report(tmp_path / name / "report.json")
    shards = runs["shard1"]["summary"]["total"], runs["shard2"]["summary"]["total"]
    assert 0 < shards[0] < 30 and sum(shards) == 30
    merged_path = tmp_path / "merged" / "report.json"
    out = gradgate(
        "merge",
        str(tmp_path / "shard1" / "report.json"),
        str(tmp_path / "shard2" / "report.json"),
        "-o",
        str(merged_path),
    )
    assert out.returncode == 0 and (merged_path.parent / "summary.md").exists()
    merged = read_report(merged_path)
    assert merged["summary"] == runs["n1"]["summary"]
    assert sorted(_results(merged)) == sorted(_results(runs["n1"]))
    assert _results(runs["n1"]) == _results(runs["n2"])
    clash = gradgate(
        "merge",
        str(tmp_path / "n1" / "report.json"),
        str(tmp_path / "shard1" / "report.json"),
        "-o",
        str(tmp_path / "x.json"),
    )
    assert clash.returncode == 2 and "is in both" in clash.stderr


def test_an_interrupted_run_leaves_the_previous_report_whole(tmp_path: Path) -> None:
    assert (
        gradgate("run", "--grid", "smoke", "-n", "1", "--report-dir", str(tmp_path)).returncode == 0
    )
    before = (tmp_path / "report.json").read_bytes()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gradgate",
            "run",
            "--grid",
            "full",
            "-n",
            "1",
            "--report-dir",
            str(tmp_path),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    time.sleep(5)  # mid-run: its worker is judging cases of a grid that takes minutes
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    report = tmp_path / "report.json"
    assert report.read_bytes() == before or read_report(report)["grid"] == "full"
    for name in ("summary.md", "report.html"):
        path = tmp_path / name
        assert not path.exists() or path.read_text().rstrip().endswith(("</html>", "|"))


def test_python_dash_m_harness_is_the_same_command(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("gradgate")
    if not exe.exists():
        pytest.skip("the gradgate console script is not installed next to this python")
    out = subprocess.run(
        [str(exe), "run", "--case", PLAIN_CASE, "--report-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0 and "PASS: 1 passed" in out.stdout


def test_a_run_that_collects_no_case_is_an_error_not_a_pass(tmp_path: Path) -> None:
    """Here a folder with a `gradgate/harness/gate_suite.py` of its own shadows gradgate's in
    the workers."""
    exe = Path(sys.executable).with_name("gradgate")
    if not exe.exists():
        pytest.skip("the gradgate console script is not installed next to this python")
    (tmp_path / "gradgate" / "harness").mkdir(parents=True)
    for init in ("gradgate/__init__.py", "gradgate/harness/__init__.py"):
        (tmp_path / init).write_text("")
    (tmp_path / "gradgate" / "harness" / "gate_suite.py").write_text("")
    out = subprocess.run(
        [str(exe), "run", "--case", PLAIN_CASE, "-n", "1"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 2, out.stdout + out.stderr
    assert "the gate did not run its cases" in out.stderr


@pytest.mark.parametrize(
    ("args", "layer", "grid", "dtypes"),
    [
        ((), "deconv2d", "default", ("float64", "float32")),
        (
            ("--layer", "conv2d", "--grid", "smoke", "--dtype", "float32"),
            "conv2d",
            "smoke",
            ("float32",),
        ),
    ],
)
def test_cases_prints_the_ids_a_run_would_check(
    args: tuple[str, ...], layer: str, grid: str, dtypes: tuple[str, ...]
) -> None:
    from gradgate.cases.kinds import layer_kind

    out = gradgate("cases", *args)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [c.id for c in layer_kind(layer).grid_cases(grid, dtypes)]


def test_cases_refuses_a_bad_option_in_one_line() -> None:
    out = gradgate("cases", "--grid", "huge")
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.strip() == "gradgate: error: --grid accepts smoke, default, full; got 'huge'"


@pytest.mark.parametrize("command", ["run", "cases", "fuzz", "compare", "merge", "explain"])
def test_every_command_prints_its_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    from gradgate.harness.cli import build_parser

    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args([command, "--help"])
    assert exit_.value.code == 0
    assert f"usage: gradgate {command}" in capsys.readouterr().out


def test_version_is_the_distributions() -> None:
    from gradgate.harness.config import read_toml
    from tests.commands import ROOT

    declared = read_toml(ROOT / "pyproject.toml")["project"]["version"]
    out = gradgate("--version")
    assert out.returncode == 0 and out.stdout.strip() == f"gradgate {declared}"


def test_auto_starts_one_worker_per_core_and_no_more_than_the_cases(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from gradgate.harness.cli import _worker_count

    monkeypatch.delenv("PYTEST_XDIST_WORKER_COUNT", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    assert _worker_count("auto", 1) == "1"
    assert _worker_count("auto", 10_000) == "8"
    assert _worker_count("auto", 0) == "1"
    assert _worker_count("3", 1) == "3"  # asked for: kept
    # started from a test of a pytest-xdist session of 2 (or 16) workers: their share of cores
    monkeypatch.setenv("PYTEST_XDIST_WORKER_COUNT", "2")
    assert _worker_count("auto", 10_000) == "4"
    monkeypatch.setenv("PYTEST_XDIST_WORKER_COUNT", "16")
    assert _worker_count("auto", 10_000) == "1"
    assert _worker_count("2", 10_000) == "2"
