"""The frameworks' own transposed convolutions as implementations under test.

`gradgate run --framework NAME` is `--impl harness.frameworks.NAME`: each module here follows
the contract (forward, backward, supports) by calling the framework's public transposed
convolution and taking the backward from the framework's own autodiff, which is what is under
test.  The report's "implementation" is that module name (e.g. `harness.frameworks.jax`).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import shutil
from dataclasses import dataclass

from cases.kinds import DEFAULT_LAYER


@dataclass(frozen=True)
class Framework:
    name: str  # --framework NAME, and the module harness.frameworks.NAME
    package: str  # the import name that must be present
    distribution: str  # the installed distribution whose version is shown
    install: str  # what to install
    # Per layer kind, the module adapting the framework's op to it; the built-in frameworks'
    # are in `ADAPTERS` (Deconv2D: harness.frameworks.NAME).
    adapters: tuple[tuple[str, str], ...] = ()

    @property
    def module(self) -> str:
        return f"harness.frameworks.{self.name}"


FRAMEWORKS: dict[str, Framework] = {
    f.name: f
    for f in (
        Framework("jax", "jax", "jax", "pip install 'gradgate[jax]' (jax[cpu])"),
        Framework(
            "tensorflow",
            "tensorflow",
            "tensorflow-cpu",
            "pip install 'gradgate[tensorflow]' (tensorflow-cpu)",
        ),
        Framework(
            "tinygrad",
            "tinygrad",
            "tinygrad",
            "pip install 'gradgate[tinygrad]' (tinygrad; its CPU device needs clang)",
        ),
        Framework(
            "paddle", "paddle", "paddlepaddle", "pip install 'gradgate[paddle]' (paddlepaddle)"
        ),
        Framework("mlx", "mlx", "mlx", "pip install 'gradgate[mlx]' (mlx[cpu])"),
        Framework(
            "torch", "torch", "torch", "pip install torch==2.13.0 (gradgate's own dependency)"
        ),
    )
}


# Per layer kind, the module adapting each framework that offers it (Deconv2D: every one).
ADAPTERS: dict[str, dict[str, str]] = {
    "deconv2d": {name: framework.module for name, framework in FRAMEWORKS.items()},
    "conv2d": {"torch": "harness.frameworks.torch_conv2d"},
}

# An installed package adds a framework through the `gradgate.frameworks` entry point group:
# `name = "package.module:FRAMEWORK"`, a `Framework` whose `adapters` name its modules.
ENTRY_POINT_GROUP = "gradgate.frameworks"
for _entry in sorted(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=str):
    if _entry.name not in FRAMEWORKS:
        _added: Framework = _entry.load()
        FRAMEWORKS[_entry.name] = _added
        for _layer, _module in _added.adapters:
            ADAPTERS.setdefault(_layer, {})[_entry.name] = _module


class FrameworkError(Exception):
    """An unknown or missing framework; the message says what to choose or install."""


def installed_version(framework: Framework) -> str | None:
    """The framework's version, or None when its package cannot be imported."""
    if importlib.util.find_spec(framework.package) is None:
        return None
    try:
        return importlib.metadata.version(framework.distribution)
    except importlib.metadata.PackageNotFoundError:
        return "installed"


def unusable_reason(framework: Framework) -> str | None:
    """Why the framework cannot run here (not installed, or a tool it needs is missing)."""
    if installed_version(framework) is None:
        return f"{framework.package} is not installed; {framework.install}"
    if framework.name == "tinygrad" and shutil.which("clang") is None and "DEV" not in os.environ:
        return (
            "tinygrad's CPU device compiles with clang, which is not on PATH; "
            "apt-get install clang (or set DEV=PYTHON for its slow pure-Python device)"
        )
    return None


def framework_module(name: str, layer: str = DEFAULT_LAYER) -> str:
    """The implementation module for `--framework NAME` on layer kind `layer` (`ADAPTERS`);
    FrameworkError if unknown, unusable, or without that layer."""
    framework = FRAMEWORKS.get(name)
    if framework is None:
        raise FrameworkError(f"--framework accepts {', '.join(FRAMEWORKS)} or list; got {name!r}")
    adapters = ADAPTERS.get(layer, {})
    if name not in adapters:
        raise FrameworkError(
            f"--framework {name} has no {layer} adapter; for --layer {layer}: {', '.join(adapters)}"
        )
    reason = unusable_reason(framework)
    if reason is not None:
        raise FrameworkError(f"--framework {name}: {reason}")
    return adapters[name]


def framework_listing() -> str:
    """One line per framework: installed (with its version), or what is missing."""
    lines = []
    for framework in FRAMEWORKS.values():
        reason = unusable_reason(framework)
        version = installed_version(framework)
        state = f"installed ({framework.distribution} {version})" if reason is None else reason
        lines.append(f"{framework.name:<11}{state}")
    return "\n".join(lines)
