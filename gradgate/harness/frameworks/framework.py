"""What gradgate knows of a framework before importing it: its names and how to install it."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Framework:
    name: str  # --framework NAME
    package: str  # the import name that must be present
    distribution: str  # the installed distribution whose version is shown
    install: str  # what to install
    # A command-line tool it needs at run time, and why, unless this variable is set.
    tool: str | None = None
    tool_missing: str = ""
    tool_unless_env: str | None = None
    # Per layer kind, the module adapting the framework's op to it.  gradgate's own frameworks
    # leave this empty: a kind is supported when gradgate/harness/frameworks/NAME/KIND.py exists.
    adapters: tuple[tuple[str, str], ...] = ()

    @property
    def module(self) -> str:
        return f"harness.frameworks.{self.name}"  # public name (gradgate.harness.loading)


def deconv2d_by_package_name(package: str) -> Callable[[str], Any]:
    """A module `__getattr__` for a framework's package: `forward`, `backward`, `supports`,
    `jvp` and `double_backward` come from its `deconv2d` module, so `--impl
    harness.frameworks.NAME` (the name Deconv2D runs are reported under) keeps loading, and
    importing the package alone imports nothing."""

    def attribute(name: str) -> Any:
        if name in ("forward", "backward", "supports", "jvp", "double_backward"):
            return getattr(importlib.import_module(f"{package}.deconv2d"), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return attribute
