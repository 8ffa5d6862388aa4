"""The diagnosis of a failing run: which factor is wrong, and the smallest case that shows it.

`diagnose(report)` gives report.json's `diagnosis` object (docs/contract.md):
the explanations of the failing cases by case factors (`attribution.py`, over the vocabulary
in `factors.py`) and, for each, a minimal failing case with a passing neighbour
(`shrinking.py`, run by `minimal_cases.py`).  It is None when nothing failed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gradgate.harness.derivatives import DERIVATIVES, derivative_of
from gradgate.harness.diagnosis.attribution import FAILING, attribute
from gradgate.harness.diagnosis.minimal_cases import (
    Target,
    pick_target,
    search_in_process,
    search_isolated,
)
from gradgate.harness.loading import Implementation
from gradgate.harness.oracles import ORACLES

DEFAULT_SECONDS = 20.0
DEFAULT_MAX_CALLS = 400


@dataclass(frozen=True)
class DiagnosisSettings:
    """Whether a run diagnoses its failures, and the minimal case search's budget."""

    enabled: bool = True
    seconds: float = DEFAULT_SECONDS
    max_calls: int = DEFAULT_MAX_CALLS

    @classmethod
    def from_options(cls, *, off: bool, seconds: float | None) -> DiagnosisSettings:
        """From `--no-diagnosis` and `--diagnosis-seconds` (None: the default budget)."""
        return cls(enabled=not off, seconds=DEFAULT_SECONDS if seconds is None else seconds)

    def __post_init__(self) -> None:
        if not self.seconds > 0:
            raise ValueError(
                f"--diagnosis-seconds must be a positive number of seconds, got {self.seconds}"
            )
        if self.max_calls < 1:
            raise ValueError(f"the diagnosis needs max_calls >= 1, got {self.max_calls}")


def _oracles_of(report: Mapping[str, Any]) -> tuple[str, ...]:
    """The oracles the run used, read from its check names (all of them if none is named)."""
    names = {name.partition(":")[0] for c in report["cases"] for name in c.get("checks", {})}
    return tuple(o for o in ORACLES if o in names) or ORACLES


def _derivatives_of(report: Mapping[str, Any]) -> tuple[str, ...]:
    """The derivatives the run checked, read from its check names (and those it found
    unsupported): the minimal case search asks for the same."""
    found = {
        derivative_of(name.rpartition(":")[2])
        for c in report["cases"]
        for name in c.get("checks", {})
    }
    found |= {d for c in report["cases"] for d in c.get("unsupported_derivatives", {})}
    return tuple(d for d in DERIVATIVES if d in found or d == "first")


def diagnose(
    report: Mapping[str, Any],
    *,
    impl: Implementation | None = None,
    search: bool = True,
    settings: DiagnosisSettings = DiagnosisSettings(),
) -> dict[str, Any] | None:
    """The `diagnosis` of a report, or None when no case failed or errored.

    The minimal case search runs `impl` in this process when given, else the implementation
    the report names in a child process; `search=False` gives the attribution alone.
    """
    cases = report["cases"]
    if not any(c["status"] in FAILING for c in cases):
        return None
    attribution = attribute(cases)
    notes = [attribution.note] if attribution.note else []
    found = attribution.explanations
    indices: list[int | None] = [*range(len(found))] or [None]
    targets = [t for i in indices if (t := pick_target(cases, found, i)) is not None]
    minimal: list[dict[str, Any]] = []
    if not targets:
        notes.append("no minimal case search: no case failed a check (errors only)")
    elif search:
        if not attribution.explanations:
            notes.append("the minimal case shrinks the smallest failing case; it names no factor")
        minimal, search_notes = _search(report, targets, impl, settings)
        notes += search_notes
    return {
        "explanations": [e.as_report() for e in attribution.explanations],
        "minimal_cases": minimal,
        "note": "; ".join(notes),
    }


def with_diagnosis(
    report: Mapping[str, Any], settings: DiagnosisSettings, *, impl: Implementation | None = None
) -> dict[str, Any]:
    """The report with its `diagnosis` (before `cases`), or without one when nothing failed
    or the settings turn it off.  Never raises: a diagnosis that breaks says so in its note."""
    found: dict[str, Any] | None = None
    if settings.enabled:
        try:
            found = diagnose(report, impl=impl, settings=settings)
        except Exception as exc:  # the report matters more than its diagnosis
            note = f"the diagnosis failed: {type(exc).__name__}: {exc}"
            found = {"explanations": [], "minimal_cases": [], "note": note}
    out = {k: v for k, v in report.items() if k not in ("diagnosis", "cases")}
    if found is not None:
        out["diagnosis"] = found
    out["cases"] = report["cases"]
    return out


def _search(
    report: Mapping[str, Any],
    targets: list[Target],
    impl: Implementation | None,
    settings: DiagnosisSettings,
) -> tuple[list[dict[str, Any]], list[str]]:
    common: dict[str, Any] = {
        "seed": int(report.get("seed", 0)),
        "oracles": _oracles_of(report),
        "derivatives": _derivatives_of(report),
        "seconds": settings.seconds,
        "max_calls": settings.max_calls,
    }
    notes = []
    if impl is not None:
        found = search_in_process(impl, targets, **common)
    else:
        found, problem = search_isolated(str(report["implementation"]), targets, **common)
        notes += [problem] if problem else []
    out = []
    for target, shrunk in zip(targets, found):
        out.append(shrunk.as_report())
        which = "" if target.explanation is None else f" for explanation {target.explanation + 1}"
        if shrunk.stopped:
            notes.append(
                f"the minimal case search{which} stopped early at {shrunk.stopped} after "
                f"{shrunk.calls} case{'' if shrunk.calls == 1 else 's'}: {shrunk.id} may not be "
                "minimal"
            )
        elif not shrunk.passing_neighbour:
            notes.append(f"no one-step simplification of {shrunk.id} passes every check")
    return out, notes
