"""An implementation under test, as the engine calls it, and the error of one that cannot be
loaded (`gradgate.harness.loading` loads them; `gradgate.harness.adapters` builds them from layer
classes)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class ImplementationError(Exception):
    """The implementation cannot be imported or does not follow the contract (a usage error)."""


@dataclass
class Implementation:
    """The two functions of the contract, the optional `supports`, `jvp` and
    `double_backward` (forward mode and the second order, docs/contract.md), and how it was
    loaded."""

    name: str
    forward: Callable[..., Any]
    backward: Callable[..., Any]
    supports: Callable[[Any], Any] | None = None
    notes: list[str] = field(default_factory=list)
    jvp: Callable[..., Any] | None = None
    double_backward: Callable[..., Any] | None = None
    # why a derivative is missing, by derivative ("forward", "second"), when known better than
    # "no such function" (an adapter's reason)
    missing: dict[str, str] = field(default_factory=dict)

    def scope(self, cfg: object) -> str | None:
        """None when the case is in scope, else the implementation's reason."""
        if self.supports is None:
            return None
        answer = self.supports(cfg)
        if answer is True:
            return None
        return str(answer) if answer else "outside the implementation's scope"
