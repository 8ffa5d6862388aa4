"""docs/findings/torch-bf16-conv-transpose2d.md: the gate catches torch 2.13's bfloat16 dX defect
where oneDNN runs its AMX kernel, and passes the same layer where oneDNN may not use AMX.

Capping oneDNN at AVX2 is possible on every x86 processor, so the capped half of each test runs
everywhere; the native half only on a processor whose /proc/cpuinfo lists AMX-BF16 (there the
finding says oneDNN 3.12 picks brg_conv_fwd:avx10_1_512_amx for these shapes).
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from gradgate.harness.reports.report_json import read_report
from tests.commands import ROOT, gradgate

pytestmark = pytest.mark.slow  # runs torch in subprocesses

REPRO = ROOT / "docs" / "findings" / "repro" / "torch_bf16_conv_transpose2d_grouped.py"
# the one bfloat16 case of the default and full grids whose geometry meets the conditions
CASE = "n1-c4x4-g2-i5x1-k2x4-s2x2-p0.2.1.1-d1x1-op0x0-b1-sigmoid-bf16"
CAPPED = {"ONEDNN_MAX_CPU_ISA": "AVX2"}


def _cpu_flags() -> set[str]:
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return set()
    flags = next((line for line in lines if line.startswith("flags")), "")
    return set(flags.partition(":")[2].split())


X86 = platform.machine() in ("x86_64", "AMD64") and "avx2" in _cpu_flags()
AMX = X86 and "amx_bf16" in _cpu_flags() and "ONEDNN_MAX_CPU_ISA" not in os.environ


def _repro(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPRO)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _gate(tmp_path: Path, env: dict[str, str]) -> dict:
    out = gradgate(
        "run", "--framework", "torch", "--case", CASE, "--report-dir", str(tmp_path), "-n", "1",
        env=env,
    )  # fmt: skip
    assert out.returncode in (0, 1), out.stdout + out.stderr
    (case,) = read_report(tmp_path / "report.json")["cases"]
    return dict(case)


@pytest.mark.skipif(not X86, reason="oneDNN's ISA cap is an x86 setting")
def test_the_reproducer_exits_1_exactly_where_onednn_may_use_amx() -> None:
    capped = _repro(CAPPED)
    assert capped.returncode == 0, capped.stdout + capped.stderr
    assert capped.stdout.count("bf16 dX relative error") == 2
    if AMX:
        native = _repro({})
        assert native.returncode == 1, native.stdout + native.stderr


@pytest.mark.skipif(not X86, reason="oneDNN's ISA cap is an x86 setting")
def test_the_gate_fails_the_case_on_amx_and_passes_it_capped(tmp_path: Path) -> None:
    capped = _gate(tmp_path / "capped", CAPPED)
    assert capped["status"] == "passed", capped["message"]
    assert capped["precision"]["dX"]["bits"] >= 5
    if AMX:
        native = _gate(tmp_path / "native", {})
        assert native["status"] == "failed"
        assert not native["checks"]["torch:dX"]["passed"]
        assert not native["checks"]["precision:dX"]["passed"]
        assert native["checks"]["torch:Y"]["passed"]  # the forward is right
