"""The example in examples/my_deconv runs as its README says, so it never rots."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from gradgate.harness.reports.report_json import read_report
from tests.commands import gradgate

pytestmark = pytest.mark.slow  # runs the example project's commands

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "my_deconv"


def test_example_pytest_gate_passes_with_unsupported_cases_skipped() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-n", "2"],
        cwd=EXAMPLE,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "10 passed, 20 skipped" in out.stdout


def test_example_through_the_command(tmp_path: Path) -> None:
    """No flag names the layer: the example's [tool.gradgate] does."""
    out = gradgate("run", "-n", "2", "--report-dir", str(tmp_path), cwd=EXAMPLE)
    assert out.returncode == 0, out.stdout + out.stderr
    summary = read_report(tmp_path / "report.json")["summary"]
    assert summary == {"total": 30, "passed": 10, "failed": 0, "errored": 0, "unsupported": 20}
    assert read_report(tmp_path / "report.json")["implementation"] == "my_deconv"
