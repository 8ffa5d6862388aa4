"""Running the real command in a subprocess, for the end-to-end tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def gradgate(
    *args: str, cwd: Path = ROOT, timeout: float = 300, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """`python -m gradgate ARGS` (the same entry point as the gradgate script), output captured.

    `env` adds to (or overrides) this process's environment.
    """
    return subprocess.run(
        [sys.executable, "-m", "gradgate", *args],
        cwd=cwd,
        env=None if env is None else {**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


# The gate's one test, as a user's project imports it into its own pytest session.
GATE_TEST = "from gradgate.harness.gate_suite import test_case\n"


def gate_pytest(
    folder: Path, *args: str, timeout: float = 300, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """`python -m pytest -q -p no:cacheprovider ARGS` in `folder`, beside a test_gate.py holding
    the gate's test (the plugin gates through it), output captured; `env` adds to (or overrides)
    this process's environment."""
    (folder / "test_gate.py").write_text(GATE_TEST)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=folder,
        env=None if env is None else {**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def repository_copy(folder: Path, leave_out: tuple[str, ...] = ()) -> Path:
    """The repository's files as a fresh clone has them (tracked, and new but not ignored), in
    `folder`, without the top-level folders `leave_out` names, nor a virtual environment made
    inside the clone (a top-level folder with a `pyvenv.cfg`, such as the `.venv` a user creates
    to run the README's commands: untracked, and gigabytes per copy)."""
    import shutil

    venvs = {p.parent.name for p in ROOT.glob("*/pyvenv.cfg")}

    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        if name.split("/")[0] in leave_out or name.split("/")[0] in venvs:
            continue
        source = ROOT / name
        if source.is_file():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, folder / name)
    return folder
