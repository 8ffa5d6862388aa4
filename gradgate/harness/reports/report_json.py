"""report.json (docs/contract.md): building, reading and validating it."""

from __future__ import annotations

import json
import platform
from pathlib import Path
from typing import Any

from gradgate.cases.kinds import DEFAULT_LAYER
from gradgate.harness.atomic import write_atomic
from gradgate.harness.result import STATUSES

SCHEMA = 1


class ReportError(Exception):
    """A report that cannot be read or is not a gradgate report."""


def environment() -> dict[str, str]:
    """The versions a run used: read from the installed distributions, so that writing a report
    (in `gradgate run`'s controller, which runs no case) never imports torch for its version."""
    import sys
    from importlib.metadata import PackageNotFoundError, version

    def installed(name: str) -> str:
        module = sys.modules.get(name)
        if module is not None and hasattr(module, "__version__"):
            return str(module.__version__)
        try:
            return version(name)
        except PackageNotFoundError:
            return "not installed"

    return {
        "python": platform.python_version(),
        "numpy": installed("numpy"),
        "torch": installed("torch"),
        "platform": platform.platform(),
    }


def layer_note(report: dict[str, Any]) -> str:
    """' [Conv2D (2-D convolution)]' for a report of a layer kind other than Deconv2D, else ''."""
    layer = report.get("layer")
    if layer is None:
        return ""
    from gradgate.cases.kinds import layer_kind

    return f" [{layer_kind(layer).TITLE}]"


def summarize(cases: list[dict[str, Any]]) -> dict[str, int]:
    counts = {"total": len(cases), **{s: 0 for s in STATUSES}}
    for case in cases:
        counts[case["status"]] += 1
    return counts


def build_report(
    cases: list[dict[str, Any]],
    *,
    implementation: str,
    grid: str,
    seed: int,
    regressions: list[str] | None = None,
    env: dict[str, str] | None = None,
    layer: str = DEFAULT_LAYER,
) -> dict[str, Any]:
    report: dict[str, Any] = {
        "schema": SCHEMA,
        "implementation": implementation,
        **({} if layer == DEFAULT_LAYER else {"layer": layer}),
        "grid": grid,
        "seed": seed,
        "environment": env if env is not None else environment(),
        "summary": summarize(cases),
    }
    if regressions is not None:
        report["regressions"] = regressions
    report["cases"] = cases
    return report


def write_report(path: Path, report: dict[str, Any]) -> None:
    write_atomic(path, json.dumps(report, indent=1, allow_nan=False) + "\n")


def read_report(path: Path) -> dict[str, Any]:
    """A report.json, checked for the fields the contract promises; ReportError otherwise."""
    try:
        report = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise ReportError(f"report {path} does not exist") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReportError(f"report {path} is not readable JSON: {exc}") from None
    if not isinstance(report, dict) or report.get("schema") != SCHEMA:
        raise ReportError(f"report {path} is not a gradgate report (schema {SCHEMA})")
    cases = report.get("cases")
    if not isinstance(cases, list) or not all(
        isinstance(c, dict) and isinstance(c.get("id"), str) and c.get("status") in STATUSES
        for c in cases
    ):
        raise ReportError(f"report {path} has no valid 'cases' list")
    return report


def worst_ratio(case: dict[str, Any]) -> float:
    return max((float(c["error_ratio"]) for c in case.get("checks", {}).values()), default=0.0)


def oracle_crashes(report: dict[str, Any]) -> list[tuple[str, str]]:
    """(case id, what crashed) for each case whose worker an oracle took down
    (gradgate/harness/rerun.py)."""
    return [(c["id"], c["oracle_crash"]) for c in report["cases"] if c.get("oracle_crash")]


def unsupported_derivatives(report: dict[str, Any]) -> list[str]:
    """One line per derivative the run asked for that some cases do not offer: how many cases
    and the first reason (`unsupported_derivatives` of each case)."""
    found: dict[str, list[str]] = {}
    for case in report["cases"]:
        for derivative, reason in case.get("unsupported_derivatives", {}).items():
            found.setdefault(derivative, []).append(reason)
    return [
        f"{derivative} derivative unsupported on {len(reasons)} of {len(report['cases'])} cases "
        f"(not failed): {reasons[0]}"
        for derivative, reasons in found.items()
    ]


def inconclusive_checks(report: dict[str, Any]) -> int:
    """How many checks their oracle could not decide at the case's precision."""
    return sum(
        1 for c in report["cases"] for v in c.get("checks", {}).values() if v.get("inconclusive")
    )
