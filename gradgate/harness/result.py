"""The outcome of one case, in the terms of report.json (docs/contract.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gradgate.harness.comparison import Check

STATUSES: tuple[str, ...] = ("passed", "failed", "errored", "unsupported")


@dataclass
class CaseResult:
    id: str
    status: str
    config: dict[str, Any]
    checks: dict[str, Check] = field(default_factory=dict)
    message: str = ""
    duration_s: float = 0.0
    # derivatives the run asked for that the implementation does not offer: name -> why
    unsupported: dict[str, str] = field(default_factory=dict)

    def as_report(self) -> dict[str, Any]:
        out = {
            "id": self.id,
            "status": self.status,
            "config": self.config,
            "checks": {name: check.as_report() for name, check in self.checks.items()},
            "message": self.message,
            "duration_s": round(self.duration_s, 4),
        }
        precision = {
            name.split(":", 1)[1]: check.extra["precision"]
            for name, check in self.checks.items()
            if "precision" in check.extra
        }
        if precision:  # per quantity: bits observed, expected and allowed, terms summed
            out["precision"] = precision
        if self.unsupported:  # derivatives not offered: never a failure, always said
            out["unsupported_derivatives"] = dict(self.unsupported)
        return out

    @property
    def worst_ratio(self) -> float:
        return max((c.error_ratio for c in self.checks.values()), default=0.0)
