"""What gradgate knows of a framework before importing it: its names and how to install it."""

from __future__ import annotations

from dataclasses import dataclass


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
    # leave this empty: a kind is supported when harness/frameworks/NAME/KIND.py exists.
    adapters: tuple[tuple[str, str], ...] = ()

    @property
    def module(self) -> str:
        return f"harness.frameworks.{self.name}"
