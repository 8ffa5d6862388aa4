"""An installed gradgate holds every package of the tree, and the files the gate reads."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from setuptools import find_packages

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

from tests.commands import GATE_TEST, ROOT, repository_copy  # noqa: E402

pytestmark = pytest.mark.slow  # builds and installs the wheel


def test_every_package_of_the_tree_is_installed() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = set(find_packages(str(ROOT), include=config["packages"]["find"]["include"]))
    on_disk = {
        ".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "gradgate").rglob("__init__.py")
    }
    assert on_disk <= found, on_disk - found
    for name in config["package-data"]["gradgate.harness"]:
        assert (ROOT / "gradgate" / "harness" / name).is_file(), name


# The user's project: its layer (dX off by 1 %: the gate must fail it, from the wheel as from the
# tree) lives in its own `harness` package and uses its own `cases` package, common names that
# gradgate's own packages (gradgate.harness, gradgate.cases) must not collide with.
USER_FILES = {
    "harness/__init__.py": "",
    "harness/brokenlayer.py": (
        "from cases.scale import FACTOR\n"
        "from gradgate.reference_impl import forward\n"
        "from gradgate.reference_impl import backward as _backward\n\n\n"
        "def backward(dY, X, W, b, cfg):\n"
        "    dX, dW, db = _backward(dY, X, W, b, cfg)\n"
        "    return dX * X.dtype.type(FACTOR), dW, db\n"
    ),
    "cases/__init__.py": "",
    "cases/scale.py": "FACTOR = 1.01\n",
    "pyproject.toml": (
        '[tool.gradgate]\nimpl = "harness.brokenlayer"\ngrid = "smoke"\ndtypes = ["float64"]\n'
        'oracles = ["torch"]\ndiagnosis = false\n'
    ),
    "test_gate.py": GATE_TEST,
}


def test_the_wheel_installs_and_gates_a_project_elsewhere(tmp_path: Path) -> None:
    """sdist and wheel build and pass `twine check`; the wheel, installed in a fresh venv (the
    machine's torch reused through --system-site-packages), gates a user's project through
    `gradgate run` and through pytest with the plugin, configured by [tool.gradgate]."""
    import importlib.util
    import subprocess
    import sys
    import venv

    pytest.importorskip("build")
    pytest.importorskip("twine")
    source = repository_copy(tmp_path / "source")
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(source)],
        check=True,
        capture_output=True,
    )
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    built = sorted(p.name for p in dist.iterdir())
    assert built == [f"gradgate-{version}-py3-none-any.whl", f"gradgate-{version}.tar.gz"], built
    check = subprocess.run(
        [sys.executable, "-m", "twine", "check", *map(str, dist.iterdir())],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0 and check.stdout.count("PASSED") == 2, check.stdout
    env_dir = tmp_path / "venv"
    # The machine's pip (through the system site-packages) installs into the venv; ensurepip
    # (3 s) only where there is none.
    has_pip = importlib.util.find_spec("pip") is not None
    venv.EnvBuilder(system_site_packages=True, with_pip=not has_pip).create(env_dir)
    python = env_dir / "bin" / "python"
    wheel = dist / built[0]
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)],
        check=True,
        capture_output=True,
    )
    user = tmp_path / "user"
    for name, text in USER_FILES.items():
        (user / name).parent.mkdir(parents=True, exist_ok=True)
        (user / name).write_text(text)
    where = subprocess.run(
        [str(python), "-c", "import gradgate, harness; print(gradgate.__file__, harness.__file__)"],
        cwd=user,
        capture_output=True,
        text=True,
    )
    ours, theirs = where.stdout.split()
    assert ours.startswith(str(env_dir)), where.stdout + where.stderr  # not the tree's
    assert theirs == str(user / "harness" / "__init__.py"), where.stdout
    clean = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    run = subprocess.run(
        [str(env_dir / "bin" / "gradgate"), "run", "-n", "1"],
        cwd=user,
        capture_output=True,
        text=True,
        env=clean,
        timeout=600,
    )
    assert run.returncode == 1, run.stdout[-2000:] + run.stderr[-2000:]
    assert "FAIL: 1 passed, 14 failed" in run.stdout
    plugin = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=user,
        capture_output=True,
        text=True,
        env=clean,
        timeout=600,
    )
    assert plugin.returncode == 1 and "14 failed, 1 passed" in plugin.stdout, plugin.stdout[-2000:]


def test_a_copy_of_the_repository_leaves_out_a_virtual_environment_made_inside_it(
    tmp_path: Path,
) -> None:
    """A user's `.venv` (or any folder with a pyvenv.cfg) in the clone is untracked and not
    ignored by name everywhere: the copies the tests make must not carry its gigabytes."""
    venv = ROOT / "gradgate-test-venv"
    (venv / "lib").mkdir(parents=True)
    try:
        (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
        (venv / "lib" / "big.bin").write_bytes(b"0" * 1024)
        copy = repository_copy(tmp_path / "copy")
        assert (copy / "README.md").is_file()
        assert not (copy / "gradgate-test-venv").exists()
    finally:
        shutil.rmtree(venv)
