"""The two README commands install what they need: the set-up command only gradgate and its
run-time dependencies (with the torch pin), the test command that plus every extra the tests
use; .ci/run installs from the test command's file."""

from __future__ import annotations

from gradgate.harness.config import read_toml
from tests.commands import ROOT


def _lines(name: str) -> list[str]:
    text = (ROOT / name).read_text().splitlines()
    return [line.split("#")[0].strip() for line in text if line.split("#")[0].strip()]


def test_the_set_up_file_is_lean_and_holds_the_torch_pin() -> None:
    assert _lines("requirements.txt") == ["torch==2.13.0", "-e ."]
    project = read_toml(ROOT / "pyproject.toml")["project"]
    required = " ".join(project["dependencies"])
    for heavy in ("jax", "tensorflow", "tinygrad", "paddle", "mlx", "numpy-ml"):
        assert heavy not in required, heavy  # extras only
        assert any(heavy in " ".join(v) for v in project["optional-dependencies"].values())


def test_the_test_file_includes_the_set_up_file_and_the_extras() -> None:
    assert _lines("requirements-test.txt") == [
        "-r requirements.txt",
        "-e .[numpy-ml,dev,frameworks]",
    ]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "-r requirements-test.txt && python3 -m pytest -n 2" in ci
    assert "requirements.txt" not in ci.replace("requirements-test.txt", "")
