"""The example in examples/my_deconv runs as its README says, so it never rots.

Its `gradgate run` (README.md's block in that folder) and the plugin with flags are run by
tests/project/test_documented_commands.py, which holds their counts (EXPECTED_OUTPUT); here, the
plugin configured by the example's pyproject.toml alone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

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
