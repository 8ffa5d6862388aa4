"""The frameworks' own convolutions as implementations under test: the registry.

`gradgate run --framework NAME --layer KIND` gates `gradgate/harness/frameworks/NAME/KIND.py`, which
follows the contract (forward, backward, supports) by calling the framework's public op and
taking the backward from the framework's own autodiff, which is what is under test.  A
framework is a package here (`__init__.py`: its `FRAMEWORK`, names and install hint;
`common.py`: its set-up and activations); it offers a kind when the kind's file exists.
For Deconv2D the report's "implementation" is the package's name (`harness.frameworks.jax`, a public
name: see `gradgate.harness.loading`), as before kinds had modules of their own; for another kind,
the module's (`harness.frameworks.torch.conv2d`).  An installed package adds a framework through the
`gradgate.frameworks` entry point group (`NAME = "package.module:FRAMEWORK"`, a `Framework`
whose `adapters` name its modules).
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import os
import shutil
from pathlib import Path

from gradgate.cases.kinds import DEFAULT_LAYER, LAYER_KINDS
from gradgate.cases.registry import added_by_packages
from gradgate.harness.frameworks.framework import Framework as Framework

BUILT_IN: tuple[str, ...] = ("jax", "tensorflow", "tinygrad", "paddle", "mlx", "torch")
ENTRY_POINT_GROUP = "gradgate.frameworks"


def _offered(framework: Framework) -> dict[str, str]:
    """The kinds one of gradgate's own frameworks offers (its KIND.py files), and their modules,
    by their public names (`Framework.module`)."""
    package = framework.module
    folder = Path(__file__).resolve().parent / framework.name
    return {
        kind: package if kind == DEFAULT_LAYER else f"{package}.{kind}"
        for kind in LAYER_KINDS
        if (folder / f"{kind}.py").is_file()
    }


FRAMEWORKS: dict[str, Framework] = {
    name: importlib.import_module(f"gradgate.harness.frameworks.{name}").FRAMEWORK
    for name in BUILT_IN
}
# Per layer kind, the module adapting each framework that offers it.
ADAPTERS: dict[str, dict[str, str]] = {}
for _name in BUILT_IN:
    for _kind, _module in _offered(FRAMEWORKS[_name]).items():
        ADAPTERS.setdefault(_kind, {})[_name] = _module
for _entry in added_by_packages(ENTRY_POINT_GROUP):
    if _entry.name not in FRAMEWORKS:
        _added: Framework = _entry.load()
        FRAMEWORKS[_entry.name] = _added
        for _kind, _module in _added.adapters:
            ADAPTERS.setdefault(_kind, {})[_entry.name] = _module


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
    tool, unless = framework.tool, framework.tool_unless_env
    if tool and shutil.which(tool) is None and not (unless and unless in os.environ):
        return framework.tool_missing or f"{tool} is not on PATH"
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
