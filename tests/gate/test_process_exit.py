"""gradgate's own child processes leave at once when their result is delivered
(gradgate.harness.process_exit), skipping the interpreter's clean-up of torch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.commands import ROOT

CHILD = """
import atexit, sys
from gradgate.harness.process_exit import exit_now
atexit.register(lambda: print("the interpreter's clean-up ran"))
print("buffered on stdout", end="")
sys.stderr.write("buffered on stderr")
exit_now(3)
"""
# Imported by every Python process that has its folder on PYTHONPATH: marks a clean-up that ran.
CLEAN_UP_MARKER = """
import atexit, os
atexit.register(lambda: open(os.environ["CLEAN_UP_MARKER"], "w").close())
"""
CASE = "n2-c2x3-g1-i3x4-k2x2-s2x1-p0.0.0.0-d1x1-op0x0-b1-tanh-f64"


def _buffered_env(**more: str) -> dict[str, str]:
    """This environment with the streams buffered (PYTHONUNBUFFERED, which some machines set,
    would flush them for the child) and `more`."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"} | more


def _run(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess, bool]:
    """`python ARGS` with the marker; (its outcome, whether its clean-up ran)."""
    (tmp_path / "sitecustomize.py").write_text(CLEAN_UP_MARKER)
    marker = tmp_path / "cleaned-up"
    paths = [str(tmp_path), str(ROOT), os.environ.get("PYTHONPATH", "")]
    env = _buffered_env(
        PYTHONPATH=os.pathsep.join(p for p in paths if p), CLEAN_UP_MARKER=str(marker)
    )
    out = subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    return out, marker.exists()


def test_exit_now_flushes_both_streams_keeps_the_status_and_skips_the_clean_up() -> None:
    out = subprocess.run(
        [sys.executable, "-c", CHILD],
        env=_buffered_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 3
    assert out.stdout == "buffered on stdout"  # flushed, and no atexit handler ran
    assert out.stderr == "buffered on stderr"


def test_exit_now_with_stdout_closed_still_exits_with_the_status() -> None:
    closed = "import sys\nfrom gradgate.harness.process_exit import exit_now\n"
    closed += "sys.stdout = None\nexit_now(4)\n"  # as Python leaves it when fd 1 is closed
    out = subprocess.run(
        [sys.executable, "-c", closed], capture_output=True, text=True, timeout=60, check=False
    )
    assert out.returncode == 4, out.stderr
    assert out.stderr == ""


def test_a_crash_rerun_and_the_minimal_case_search_leave_once_their_result_is_written(
    tmp_path: Path,
) -> None:
    control, cleaned = _run(tmp_path, "-c", "pass")
    assert control.returncode == 0 and cleaned  # the marker sees an ordinary exit
    (tmp_path / "cleaned-up").unlink()

    result = tmp_path / "rerun.json"
    rerun, cleaned = _run(
        tmp_path,
        *("-m", "gradgate.harness.rerun", "--impl", "reference_impl", "--case", CASE),
        *("--seed", "0", "--trail-dir", str(tmp_path), "--result", str(result)),
    )
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert json.loads(result.read_text())["status"] == "passed"
    assert not cleaned

    target = {"start": CASE, "check": "torch:db", "rule": [], "explanation": None, "earlier": []}
    request = {"impl": "tests.kinds.deconv2d.bugged_impls:bias_from_channel_zero", "seed": 0}
    request |= {"targets": [target], "oracles": ["torch"], "seconds": 20, "max_calls": 4}
    (tmp_path / "request.json").write_text(json.dumps(request))
    search, cleaned = _run(
        tmp_path,
        *("-m", "gradgate.harness.diagnosis.search_process"),
        *(str(tmp_path / "request.json"), str(tmp_path / "found.json")),
    )
    assert search.returncode == 0, search.stderr[-2000:]
    found = json.loads((tmp_path / "found.json").read_text())["minimal_cases"]
    assert len(found) == 1 and found[0]["check"] == "torch:db", found
    assert not cleaned


def test_the_command_leaves_once_its_reports_are_written_and_keeps_its_exit_status(
    tmp_path: Path,
) -> None:
    reports = tmp_path / "reports"
    out, cleaned = _run(
        tmp_path,
        *(
            "-m",
            "gradgate",
            "run",
            "--impl",
            "tests.kinds.deconv2d.bugged_impls:bias_from_channel_zero",
        ),
        *("--case", CASE, "--no-diagnosis", "--report-dir", str(reports)),
    )
    assert out.returncode == 1, out.stderr[-2000:]
    assert "FAIL: 0 passed, 1 failed" in out.stdout
    report = json.loads((reports / "report.json").read_text())
    assert [c["status"] for c in report["cases"]] == ["failed"]
    assert not cleaned


def test_the_command_run_by_a_profiler_or_a_host_process_exits_the_ordinary_way(
    tmp_path: Path,
) -> None:
    """Only a process started as the command leaves at once: under `python -m cProfile` the
    profile is written at exit, and a host running it through runpy gets SystemExit back."""
    profile = tmp_path / "prof.out"
    profiled, _ = _run(tmp_path, "-m", "cProfile", "-o", str(profile), "-m", "gradgate", "cases")
    assert profiled.returncode == 0, profiled.stderr[-2000:]
    assert profile.stat().st_size > 0
    host = "import runpy, sys\nsys.argv = ['gradgate', 'cases', '--grid', 'smoke']\n"
    host += "try:\n    runpy.run_module('gradgate', run_name='__main__')\n"
    host += (
        "except SystemExit as exc:\n    print('exit status', exc.code)\nprint('host continues')\n"
    )
    hosted, _ = _run(tmp_path, "-c", host)
    assert hosted.returncode == 0, hosted.stderr[-2000:]
    assert hosted.stdout.splitlines()[-2:] == ["exit status 0", "host continues"]
