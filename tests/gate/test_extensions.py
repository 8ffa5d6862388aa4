"""A layer kind, an oracle and a framework are added by their own files alone.

Each throwaway is a copy of an existing one under another name, in a temporary folder on
PYTHONPATH, registered the way an installed package registers it (an entry point in a
`*.dist-info` folder there); a smoke grid runs through each with no file of gradgate's edited.
docs/architecture.md ("Adding a layer kind / an oracle / a framework") lists those files.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.commands import ROOT, gradgate

pytestmark = pytest.mark.slow  # installs throwaway packages and runs the real command

KIND, ORACLE, FRAMEWORK = "conv2dcopy", "adjointcopy", "torchcopy"
ENTRY_POINTS = f"""\
[gradgate.layer_kinds]
{KIND} = throwaway_kind

[gradgate.oracles]
{ORACLE} = throwaway_oracle

[gradgate.frameworks]
{FRAMEWORK} = throwaway_framework:FRAMEWORK
"""
FRAMEWORK_DESCRIPTION = f"""\
from gradgate.harness.frameworks import Framework

FRAMEWORK = Framework(
    "{FRAMEWORK}",
    "torch",
    "torch",
    "pip install torch",
    adapters=(("deconv2d", "throwaway_torch"),),
)
"""


def _copy(source: Path, target: Path, replacements: tuple[tuple[str, str], ...]) -> None:
    text = source.read_text()
    for old, new in replacements:
        assert old in text, (source, old)
        text = text.replace(old, new)
    target.write_text(text)


def _throwaways(root: Path) -> Path:
    """The three copies and their registration, in `root`."""
    kind = root / "throwaway_kind"
    kind.mkdir()
    for module in ("__init__.py", "grid.py", "realistic.py", "fuzz.py"):
        text = (ROOT / "gradgate" / "cases" / "conv2d" / module).read_text()
        for old, new in (
            ("gradgate.cases.conv2d", "throwaway_kind"),
            ('"conv2d-', f'"{KIND}-'),
            ('"conv2d"', f'"{KIND}"'),
        ):
            text = text.replace(old, new)
        (kind / module).write_text(text)
    _copy(
        ROOT / "gradgate" / "harness" / "oracles" / "adjoint.py",
        root / "throwaway_oracle.py",
        (('NAME = "adjoint"', f'NAME = "{ORACLE}"'),),
    )
    shutil.copy(
        ROOT / "gradgate" / "harness" / "frameworks" / "torch" / "deconv2d.py",
        root / "throwaway_torch.py",
    )
    (root / "throwaway_framework.py").write_text(FRAMEWORK_DESCRIPTION)
    dist = root / "gradgate_throwaways-0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: gradgate-throwaways\nVersion: 0\n")
    (dist / "entry_points.txt").write_text(ENTRY_POINTS)
    return root


def _tracked_changes() -> str:
    return subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


@pytest.fixture(scope="module")
def throwaways(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = _throwaways(tmp_path_factory.mktemp("throwaways"))
    return {"PYTHONPATH": str(root)}


def _smoke_run(env: dict[str, str], folder: Path, *options: str) -> dict:
    """`gradgate run --grid smoke OPTIONS` with the throwaways registered: its report."""
    out = gradgate("run", "--grid", "smoke", "--report-dir", str(folder), *options, env=env)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    return dict(json.loads((folder / "report.json").read_text()))


def test_a_copied_layer_kind_runs_its_smoke_grid(
    throwaways: dict[str, str], tmp_path: Path
) -> None:
    before = _tracked_changes()
    listed = gradgate("cases", "--layer", KIND, "--grid", "smoke", env=throwaways)
    assert listed.returncode == 0, listed.stderr
    ids = listed.stdout.split()
    assert ids and all(i.startswith(f"{KIND}-") for i in ids)
    report = _smoke_run(throwaways, tmp_path, "--layer", KIND)
    assert report["layer"] == KIND and [c["id"] for c in report["cases"]] == ids
    assert report["implementation"] == "reference_impl.conv2d"
    assert _tracked_changes() == before


def test_a_copied_oracle_runs_beside_the_others(throwaways: dict[str, str], tmp_path: Path) -> None:
    report = _smoke_run(throwaways, tmp_path, "--oracles", f"torch,{ORACLE}")
    checks = {name for case in report["cases"] for name in case["checks"]}
    assert {f"{ORACLE}:dX", f"{ORACLE}:dW", "torch:dX"} <= checks
    assert not any(name.startswith("fd:") or name.startswith("adjoint:") for name in checks)


def test_a_copied_framework_is_listed_and_gated(throwaways: dict[str, str], tmp_path: Path) -> None:
    listing = gradgate("run", "--framework", "list", env=throwaways)
    assert [FRAMEWORK, "installed"] in [line.split()[:2] for line in listing.stdout.splitlines()]
    report = _smoke_run(throwaways, tmp_path, "--framework", FRAMEWORK, "--dtype", "float64")
    assert report["implementation"] == "throwaway_torch"
    assert {c["status"] for c in report["cases"]} == {"passed"}
