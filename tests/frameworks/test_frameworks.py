"""The frameworks' own convolutions: `--framework`, and the gate's verdicts on each.

Each framework's verdicts run in one subprocess (tests/frameworks/verdict_runs.py), skipped when
the framework is not installed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gradgate.harness.frameworks import (
    ADAPTERS,
    FRAMEWORKS,
    Framework,
    FrameworkError,
    framework_module,
    installed_version,
)
from gradgate.harness.frameworks.translations import input_padding, symmetric_part
from gradgate.reference_impl.deconv2d.config import make_config
from tests.commands import ROOT, gate_pytest, gradgate
from tests.frameworks import derivative_expectations as derivatives
from tests.frameworks.framework_verdicts import skip_unless_usable
from tests.frameworks.verdict_runs import Job, runs_in_a_subprocess

pytestmark = pytest.mark.slow  # each framework's own op through the real command or a subprocess

# What the smoke grid must show for each framework, beyond agreeing with the direct comparison:
# the verdicts that occur (a framework that fails or refuses cases must still be seen to).
EXPECTED_KINDS: dict[str, set[str]] = {
    "torch": {"passed"},
    "jax": {"passed"},
    "paddle": {"passed", "unsupported"},
    "tensorflow": {"passed", "unsupported"},
    "mlx": {"passed", "failed", "errored"},  # it takes groups (docs/findings/mlx.md)
    "tinygrad": {"passed", "failed"},
}

# In float16 and bfloat16, what each framework's smoke grid shows (docs/conformance.md):
# paddle's CPU op takes neither (its own words); jax and tensorflow sum float16 bias gradients
# in float16 (precision:db); tinygrad's tanh and mlx's known defects show as in float32.
EXPECTED_LOW: dict[str, set[str]] = {
    "torch": {"passed", "failed"},
    "jax": {"passed", "failed"},
    "paddle": {"unsupported"},
    "tensorflow": {"passed", "failed", "unsupported"},
    "mlx": {"passed", "failed", "errored"},
    "tinygrad": {"passed", "failed"},
}

# Two frameworks compile every new shape and dtype, so their tests take a sample of the smoke
# grid's positions where they must (their whole grids are gated by the commands in
# docs/conformance.md, "Regenerate", which write the table).
# - tinygrad generates and compiles kernels in Python (about 4 s a case here, 220 s for its
#   smoke grid in four dtypes): the grouped tanh case its float32 forward fails (torch:Y), the
#   1x1 case, and a dilated 1x1 kernel with padding.  Not position 14, the case of its
#   mis-compiled unreached-input gradient (docs/findings/tinygrad.md #1): there dX is stack
#   memory, so the verdicts of two calls depend on what the stack held; its reproducers, which
#   read the kernel's source, hold that defect (test_findings_reproducers.py).
# - jax's XLA compiles each shape (about 1 s a case): its whole smoke grid in float64 and
#   float32, the shapes README.md's `gradgate run --framework jax --grid smoke` compiles too
#   (the session shares jax's compilation cache, conftest.py: whichever runs second finds them
#   compiled), and every other case in float16 and bfloat16.
SAMPLED: dict[str, tuple[int, ...]] = {"tinygrad": (6, 8, 13)}  # in every dtype
SAMPLED_LOW: dict[str, tuple[int, ...]] = {"jax": tuple(range(0, 15, 2))}  # float16, bfloat16
DTYPES = ("float64", "float32", "float16", "bfloat16")


def _first_on_deconv2d(name: str, by_dtype: dict[str, Any]) -> None:
    """In float64 and float32, the gate's verdict is the direct comparison's on every case.

    In float16 and bfloat16, every case the element-wise direct comparison fails, the gate
    fails; every case the gate fails beyond it fails precision:* (the aggregate check the direct
    comparison lacks); and unsupported cases are the framework's own refusal."""
    for dtype in DTYPES:
        verdicts = by_dtype[dtype]
        assert len(verdicts) == len(_positions(name, dtype) or range(15)), dtype
        if dtype in ("float64", "float32"):
            disagree = {case: v for case, v in verdicts.items() if v[0] != v[1]}
            assert not disagree, (dtype, disagree)
            assert set(Counter(g for g, _, _ in verdicts.values())) <= EXPECTED_KINDS[name]
            continue
        for case, (gate, direct, families) in verdicts.items():
            if direct in ("failed", "errored", "unsupported"):
                assert gate == direct, (case, gate, direct, families)
            elif gate == "failed":
                assert families == "precision", (case, families)
            else:
                assert gate == "passed", (case, gate, direct)
        assert set(Counter(g for g, _, _ in verdicts.values())) <= EXPECTED_LOW[name], dtype
    if name == "tinygrad":  # the sample holds what tinygrad's smoke grid shows
        assert {v[0] for v in by_dtype["float32"].values()} == {"passed", "failed"}


OTHER_KINDS = ("conv2d", "conv1d", "deconv1d", "conv3d", "deconv3d")
# A sample of each kind's smoke grid: edge cases and pairwise rows (jax and tinygrad
# compile each shape: the first and a pairwise row).
KIND_SAMPLE: dict[str, tuple[int, ...]] = {"tinygrad": (0,), "jax": (0, 8)}


def _first_on_other_kinds(name: str, by_kind: dict[str, Any]) -> None:
    """Every kind beyond Deconv2D that the framework offers, in float64 and float32: the gate's
    verdict is the direct comparison's on a sample of each smoke grid (the whole grids are the
    conformance runs, docs/conformance.md)."""
    for key, verdicts in by_kind.items():
        disagree = {case: v for case, v in verdicts.items() if v[0] != v[1]}
        assert not disagree, (key, disagree)


def _positions(name: str, dtype: str) -> tuple[int, ...] | None:
    """The positions of the smoke grid the framework's test takes in `dtype` (None: all)."""
    low = dtype in ("float16", "bfloat16")
    return SAMPLED.get(name, SAMPLED_LOW.get(name) if low else None)


def _plan(name: str) -> dict[str, Job]:
    """What the framework's one process computes (tests/frameworks/verdict_runs.py)."""
    higher = derivatives.DTYPES.get(name, ("float64", "float32"))
    plan: dict[str, Job] = {
        f"first {dtype}": ("first", (dtype,), ("deconv2d",), _positions(name, dtype))
        for dtype in DTYPES
    }
    plan |= {
        "kinds": (
            "first",
            ("float64", "float32"),
            OTHER_KINDS,
            KIND_SAMPLE.get(name, (0, 6, 7, 9)),
        ),
        "higher": ("higher", higher, ("deconv2d",), derivatives.SAMPLED.get(name)),
    }
    if name in derivatives.OTHER_KINDS:
        kinds = derivatives.OTHER_KINDS[name]
        plan["higher kinds"] = ("higher", ("float64",), kinds, derivatives.OTHER_KIND_SAMPLE)
    return plan


@pytest.mark.parametrize("name", list(FRAMEWORKS))
def test_the_gate_agrees_with_a_direct_comparison_with_torch(name: str) -> None:
    """The gate's verdicts on the framework's own ops, held to a direct comparison with torch
    float64 case by case: Deconv2D's first derivative in four dtypes, every other kind's (a kind
    the framework does not offer fails by name), and forward mode and the second order
    (tests/frameworks/derivative_expectations.py).  All from one process per framework; every
    part is checked and every part that disagrees is reported."""
    skip_unless_usable(name)
    offered = [k for k in OTHER_KINDS if name in ADAPTERS.get(k, {})]
    assert offered == list(OTHER_KINDS), f"{name} offers {offered}"
    runs = runs_in_a_subprocess(name, _plan(name))
    parts: list[tuple[str, Callable[[str, dict[str, Any]], None], dict[str, Any]]] = [
        ("Deconv2D", _first_on_deconv2d, _by_dtype(_merged(runs, [f"first {d}" for d in DTYPES]))),
        ("the other kinds", _first_on_other_kinds, runs["kinds"]),
        (
            "forward mode and the second order",
            derivatives.check_each_derivative,
            _by_dtype(runs["higher"]),
        ),
    ]
    if "higher kinds" in runs:
        parts.append(
            ("the other kinds' derivatives", derivatives.check_other_kinds, runs["higher kinds"])
        )
    failures = []
    for what, check, verdicts in parts:
        try:
            check(name, verdicts)
        except AssertionError as exc:
            failures.append(f"{what}: {exc}")
    assert not failures, "\n".join(failures)


def _merged(runs: dict[str, dict[str, Any]], keys: list[str]) -> dict[str, Any]:
    """The jobs' {"layer/dtype": verdicts}, one dict (each job holds other dtypes)."""
    return {k: v for key in keys for k, v in runs[key].items()}


def _by_dtype(run: dict[str, Any]) -> dict[str, Any]:
    """{"deconv2d/dtype": verdicts} as {dtype: verdicts}."""
    return {key.split("/")[1]: verdicts for key, verdicts in run.items()}


def test_framework_list_and_exclusive_options(tmp_path: Path) -> None:
    out = gradgate("run", "--framework", "list")
    assert out.returncode == 0, out.stderr
    assert [line.split()[0] for line in out.stdout.splitlines()] == list(FRAMEWORKS)
    assert "torch      installed (torch 2.13" in out.stdout
    both = gradgate("run", "--framework", "torch", "--impl", "reference_impl")
    assert both.returncode == 2 and "not allowed with" in both.stderr
    unknown = gradgate("run", "--framework", "theano")
    assert unknown.returncode == 2
    assert "--framework accepts jax, tensorflow, tinygrad, paddle, mlx, torch or list" in (
        unknown.stderr
    )


def test_a_missing_framework_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    absent = Framework("nothing", "no_such_package_here", "no-such-package", "pip install x")
    assert installed_version(absent) is None
    monkeypatch.setitem(FRAMEWORKS, "nothing", absent)
    monkeypatch.setitem(ADAPTERS["deconv2d"], "nothing", absent.module)
    with pytest.raises(FrameworkError, match="no_such_package_here is not installed; pip"):
        framework_module("nothing")


def test_framework_runs_are_reported_under_the_module_name(tmp_path: Path) -> None:
    case = "n2-c2x4-g2-i3x4-k3x2-s2x1-p1.0.2.1-d2x1-op1x0-b1-leaky_relu-f64"
    out = gradgate("run", "--framework", "torch", "--case", case, "--report-dir", str(tmp_path))
    assert out.returncode == 0, out.stdout + out.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["implementation"] == "harness.frameworks.torch"
    assert [c["status"] for c in report["cases"]] == ["passed"]


def test_padding_translations() -> None:
    assert symmetric_part((3, 1, 0, 2)) == ((1, 0), (2, 0, 0, 2))
    cfg = make_config(padding=(3, 0, 1, 2), dilation=(2, 1), output_padding=(1, 0), stride=2)
    # kh = 2, kw = 3: dilated extents 2 and 2
    assert input_padding(cfg, 2, 3) == ((2 - 3, 2 - 0 + 1), (2 - 1, 2 - 2 + 0))


def _pytest(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    # this checkout's plugin, not another's
    return gate_pytest(tmp_path, *args, env={"PYTHONPATH": str(ROOT)}, timeout=120)


def test_pytest_plugin_takes_a_framework(tmp_path: Path) -> None:
    case = "n1-c1x2-g1-i2x2-k2x2-s2x1-p0.0.1.0-d1x1-op1x0-b0-tanh-f64"
    out = _pytest(tmp_path, "--gradgate-framework", "torch", "--gradgate-case", case)
    assert out.returncode == 0 and "1 passed" in out.stdout, out.stdout + out.stderr
    both = _pytest(
        tmp_path, "--gradgate-framework", "torch", "--gradgate-impl", "x", "--gradgate-case", case
    )
    assert both.returncode != 0
    assert (
        "--gradgate-framework and --gradgate-impl exclude each other" in both.stdout + both.stderr
    )


def test_tinygrad_without_clang_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    import gradgate.harness.frameworks as frameworks

    monkeypatch.setattr(frameworks, "installed_version", lambda f: "0.14.0")
    monkeypatch.setattr(frameworks.shutil, "which", lambda exe: None)
    monkeypatch.delenv("DEV", raising=False)
    with pytest.raises(FrameworkError, match="compiles with clang.*apt-get install clang"):
        framework_module("tinygrad")
    monkeypatch.setenv("DEV", "PYTHON")
    assert framework_module("tinygrad") == "harness.frameworks.tinygrad"


def test_torch_adapter_hands_torch_canonical_strides() -> None:
    """np.ascontiguousarray leaves a 1-channel NCHW array channels-last strides, which take
    torch 2.13's float32 oneDNN weight gradient into its heap-corrupting AVX2 kernel
    (docs/findings/torch.md); the torch adapter's layout copies have canonical strides."""
    import numpy as np
    import torch

    from gradgate.harness.frameworks.translations import nchw

    X = np.zeros((2, 5, 4, 1), np.float32)
    assert torch.from_numpy(np.ascontiguousarray(X.transpose(0, 3, 1, 2))).stride() == (20, 1, 4, 1)
    assert torch.from_numpy(nchw(X)).stride() == (20, 20, 4, 1)


def test_a_gate_worker_keeps_the_jax_flags_it_inherits_once() -> None:
    """A `gradgate run` worker inherits the XLA flags the jax adapter set in its controller;
    importing the adapter again must not append them twice (doubled flags made the workers'
    compilations differ from every other process's, so jax's compilation cache never matched)."""
    skip_unless_usable("jax")
    show = (
        "import os; import gradgate.harness.frameworks.jax.common; print(os.environ['XLA_FLAGS'])"
    )

    def flags(env: dict[str, str]) -> str:
        out = subprocess.run(
            [sys.executable, "-c", show],
            env={**{k: v for k, v in os.environ.items() if k != "XLA_FLAGS"}, **env},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.returncode == 0, out.stderr[-2000:]
        return out.stdout.strip().splitlines()[-1]

    controller = flags({})  # a controller: no XLA flags of its own
    assert "--xla_cpu_multi_thread_eigen=false" in controller
    assert flags({"XLA_FLAGS": controller}) == controller
