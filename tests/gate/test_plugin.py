"""The plugin is installed into every pytest session: it must cost nothing where nobody gates."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PLAIN_TEST = """
import sys

def test_nothing_heavy_was_imported():
    heavy = ("numpy", "torch", "gradgate.reference_impl", "gradgate.cases.case",
             "gradgate.harness.engine", "gradgate.harness.loading")
    assert [m for m in heavy if m in sys.modules] == []
"""


def test_a_session_that_does_not_gate_imports_nothing_heavy(tmp_path: Path) -> None:
    (tmp_path / "test_plain.py").write_text(PLAIN_TEST)
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:benchmark",
            "test_plain.py",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "1 passed" in out.stdout
