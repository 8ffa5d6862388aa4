"""Every command the README and docs/ show runs as written, from a fresh copy of the repository.

Commands are the lines of the Markdown code blocks (indented by four spaces, or fenced as
shell); a `cd DIR` line moves the lines after it in the same block.  Each command is either run
here, in a copy of the repository without its untracked files (one copy per code block, whose
commands run in order; the blocks spread over the test workers), and must exit as expected, or is
listed in NOT_RUN_HERE with the reason (it installs, it is the test suite itself, it takes
minutes).  A new command in the docs that is neither fails the test, so the docs cannot rot.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.commands import repository_copy

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = ("README.md", "docs/*.md", "docs/findings/*.md", "examples/*/README.md")
INSTALLED_PACKAGES = ("gradgate",)
COMMAND = re.compile(r"^(gradgate|python3?|pytest|cd)\s")

NOT_RUN_HERE = {
    "python3 -m pip install -r requirements.txt && gradgate run": (
        "the set-up command: .ci/run runs it on a fresh clone (and tests/gate/test_gate.py runs "
        "the default grid on the reference)"
    ),
    "python3 -m pip install -r requirements-test.txt && python3 -m pytest -n 2": (
        "the test command: this suite itself, run verbatim by .ci/run"
    ),
    "python3 -m pytest -n 2": "the test suite itself",
    'python3 -m pytest -n 2 -m "not slow"': "the fast loop: a part of this suite",
    "python benchmarks/bench_reference.py --repeats 9": "a benchmark: minutes, run by hand",
    "python benchmarks/bench_fd_vs_gradcheck.py --grid default": "a benchmark: run by hand",
    "python benchmarks/bench_gate.py --repeats 3": "a benchmark: minutes, run by hand",
    "python benchmarks/bench_fd_channels.py --repeats 3": "a benchmark: run by hand",
    "python benchmarks/bench_conv2d_reference.py --repeats 9": "a benchmark: run by hand",
    "python benchmarks/bench_diagnosis.py --repeats 3": "a benchmark: run by hand",
    "python benchmarks/bench_derivatives_vs_gradgradcheck.py --repeats 3": (
        "a benchmark: minutes, run by hand; tests/oracles/test_derivative_checks.py gates the "
        "derivatives it times"
    ),
    "python benchmarks/bench_nd_reference.py --repeats 5": (
        "a benchmark: run by hand, like the others (23 s of the suite's CPU); "
        "tests/kinds/test_every_kind_gate.py gates each reference against torch"
    ),
    "gradgate run --layer conv2d --grid full -n 2": (
        "the Conv2D full grid: a minute with two workers; "
        "tests/kinds/conv2d/test_conv2d_gate.py runs its "
        "triple and realistic tiers, tests/kinds/test_layer_kinds.py the command on smoke"
    ),
    "python3 -m gradgate run --framework torch --grid full --dtype float64,float32 -n 2": (
        "regenerates a finding (torch's full grid, minutes): tests/frameworks/test_frameworks.py "
        "checks torch's verdicts against a direct comparison"
    ),
    "gradgate run --impl numpy_ml.neural_nets.layers:Deconv2D --grid full": (
        "numpy-ml's loops over the full grid take minutes; "
        "tests/kinds/deconv2d/test_adapters.py checks its "
        "verdicts case by case"
    ),
    "python3 docs/findings/repro/jax_conv_weight_gradient_sweep.py": (
        "a findings sweep: XLA compiles 378 shapes, three minutes; it exits 1 while jax's "
        "float32 dW defect holds, as the finding's reproducer does"
    ),
    "python3 docs/findings/repro/tinygrad_repeat_gradient_schedules.py": (
        "a findings sweep: nine fresh tinygrad processes compiling their kernels, half a minute; "
        "it exits 1 while tinygrad compiles dX to an empty reduction (docs/findings/tinygrad.md)"
    ),
    # Commands whose every case, or whole test file, another test of this suite runs (through
    # the same engine, with each verdict held to a direct comparison): run once, not twice.
    "gradgate run --impl numpy_ml.neural_nets.layers:Deconv2D": (
        "numpy-ml on the default grid: tests/kinds/deconv2d/test_adapters.py runs every default "
        "case (and half of full's) and holds each verdict to a direct comparison; README.md's "
        "numpy-ml command runs the adapter through the CLI"
    ),
    "gradgate run --layer conv1d --impl numpy_ml.neural_nets.layers:Conv1D --grid smoke "
    "--dtype float64": (
        "numpy-ml's Conv1D on smoke, a part of the default grid whose every case "
        "tests/kinds/test_numpy_ml_conv1d.py runs and holds to a direct comparison"
    ),
    "python3 -m pytest -q tests/kinds/conv2d/test_numpy_ml_conv2d.py": "a part of this suite",
    "python3 -m pytest -q tests/kinds/conv2d/test_torch_conv2d_oracle.py": "a part of this suite",
    "python3 docs/findings/repro/tensorflow_float64_conv_gradients.py": (
        "a findings reproducer: tests/frameworks/test_findings_reproducers.py runs it and holds "
        "its exit status, 1 while the defect is there"
    ),
    "python3 docs/findings/repro/torch_bf16_conv_transpose2d_grouped.py": (
        "its exit status names the processor (1 where oneDNN runs its AMX kernel): "
        "tests/frameworks/test_torch_bf16_finding.py runs it capped and, on AMX, natively"
    ),
}
EXIT_STATUS = {  # commands documented to fail, with why
    # findings reproducers: exit 1 while the defect they show is there
    "python3 docs/findings/torch_conv2d_float64_repro.py": 1,
    # a findings sweep: exits 1 while MLX's defects show (docs/findings/mlx.md)
    "python3 docs/findings/repro/mlx_conv_transpose2d_sweep.py": 1,
    # a findings sweep: exits 1 while MLX's second-order defect shows (docs/findings/mlx.md, 4)
    "python3 docs/findings/repro/mlx_conv_transpose2d_second_order_sweep.py": 1,
    # a findings sweep: exits 1 while MLX's ordinary second-order defect shows (mlx.md, 5)
    "python3 docs/findings/repro/mlx_conv2d_second_order_sweep.py": 1,
    "gradgate run --impl numpy_ml.neural_nets.layers:Deconv2D --grid smoke --dtype float64": 1,
    # docs/precision.md's worked example: a TF32 forward the precision check catches
    "gradgate run --impl tests.oracles.precision_bank:tf32_forward_only_deconv2d --case "
    "n4-c1024x4-g1-i4x4-k4x4-s2x2-p1.1.1.1-d1x1-op0x0-b1-identity-f32": 1,
}

# What the output of a command, run in its folder, must hold besides its exit status.
EXPECTED_OUTPUT = {
    # the example project: my_deconv on smoke, its unsupported cases skipped with their reason
    ("examples/my_deconv", "gradgate run"): (
        "PASS: 10 passed, 0 failed, 0 errored, 20 unsupported of 30 cases"
    ),
    (
        "examples/my_deconv",
        "python3 -m pytest -n auto --gradgate-impl my_deconv --gradgate-grid smoke",
    ): "10 passed, 20 skipped",
}


@dataclass(frozen=True)
class Command:
    document: str
    cwd: str  # relative to the repository root
    text: str
    block: int = 0  # which code block of the document, from 1


def _blocks(text: str) -> list[list[str]]:
    """The code blocks of a Markdown text: indented by four spaces, or fenced as a shell."""
    blocks: list[list[str]] = []
    current: list[str] | None = None
    fence: str | None = None  # the language of the fenced block we are in
    previous_blank = True
    for line in text.splitlines():
        if line.startswith("```"):
            if fence is None:
                fence = line.strip("`").strip() or "sh"
                current = [] if fence in ("sh", "bash", "shell", "console") else None
            else:
                if current is not None:
                    blocks.append(current)
                current, fence = None, None
            continue
        if fence is not None:
            if current is not None:
                current.append(line.strip())
        elif line.startswith("    ") and (current is not None or previous_blank):
            current = current if current is not None else []
            current.append(line.strip())
        elif current is not None and line.strip():
            blocks.append(current)
            current = None
        previous_blank = not line.strip()
    if current:
        blocks.append(current)
    return blocks


def documented_commands() -> list[Command]:
    out: list[Command] = []
    for pattern in DOCUMENTS:
        for path in sorted(ROOT.glob(pattern)):
            document = str(path.relative_to(ROOT))
            for number, block in enumerate(_blocks(path.read_text()), start=1):
                cwd = "."
                for line in block:
                    text = re.sub(r"\s+#.*$", "", line).strip()
                    if not COMMAND.match(text):
                        continue
                    if text.startswith("cd "):
                        cwd = text[3:].strip()
                        continue
                    out.append(Command(document, cwd, text, number))
    return out


COMMANDS = documented_commands()
TO_RUN = [c for c in COMMANDS if c.text not in NOT_RUN_HERE]


def test_the_readme_shows_both_commands_and_every_skip_is_still_documented() -> None:
    texts = {c.text for c in COMMANDS}
    assert set(NOT_RUN_HERE) <= texts, set(NOT_RUN_HERE) - texts
    assert set(EXIT_STATUS) <= texts, set(EXIT_STATUS) - texts
    assert set(EXPECTED_OUTPUT) <= {(c.cwd, c.text) for c in TO_RUN}, EXPECTED_OUTPUT
    readme = {c.text for c in COMMANDS if c.document == "README.md"}
    assert {c for c in NOT_RUN_HERE if c.startswith("python3 -m pip")} <= readme


def fresh_copy(folder: Path) -> Path:
    """The repository's files (as a fresh clone has them), in `folder`/repo.

    Without the packages that `pip install -e .` installed from ROOT: the `gradgate` command
    imports those from ROOT, and its workers would import a copy in their folder first.
    """
    return repository_copy(folder / "repo", leave_out=INSTALLED_PACKAGES)


# The code blocks that hold a command to run, each run in a copy of its own, so that the blocks
# spread over the test workers; a block's commands run in order (a baseline, then the run that
# compares with it).
BLOCKS: dict[str, list[Command]] = {}
for _command in TO_RUN:
    BLOCKS.setdefault(f"{_command.document}#{_command.block}", []).append(_command)
# A block of one command that another block runs as written (a findings page repeating a
# README command) is run there only: the same command, in the same folder of a fresh copy.
_IN_LONGER_BLOCKS = {(c.cwd, c.text) for cmds in BLOCKS.values() if len(cmds) > 1 for c in cmds}
RUN_ELSEWHERE = {
    name: cmds[0]
    for name, cmds in BLOCKS.items()
    if len(cmds) == 1 and (cmds[0].cwd, cmds[0].text) in _IN_LONGER_BLOCKS
}
for _name in RUN_ELSEWHERE:
    del BLOCKS[_name]


@pytest.mark.slow
@pytest.mark.parametrize("block", list(BLOCKS))
def test_every_documented_command_runs_as_written(block: str, tmp_path: Path) -> None:
    """Every command of a code block, in order, in a fresh copy of the repository."""
    copy = fresh_copy(tmp_path)
    failures = []
    for command in BLOCKS[block]:
        out = subprocess.run(
            command.text,
            shell=True,
            cwd=copy / command.cwd,
            capture_output=True,
            text=True,
            timeout=600,
        )
        expected = EXIT_STATUS.get(command.text, 0)
        said = EXPECTED_OUTPUT.get((command.cwd, command.text), "")
        if out.returncode != expected or said not in out.stdout:
            failures.append(
                f"{command.document}: `{command.text}` (in {command.cwd}) exited "
                f"{out.returncode}, expected {expected}"
                + (f", saying {said!r}" if said else "")
                + f":\n{(out.stdout + out.stderr)[-1500:]}"
            )
    assert not failures, "\n\n".join(failures)
