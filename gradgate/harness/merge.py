"""Merging shard reports into one report of the whole grid."""

from __future__ import annotations

from typing import Any

from gradgate.cases.kinds import DEFAULT_LAYER
from gradgate.harness.reports.report_json import ReportError, build_report


def merge_reports(reports: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """One report holding every case of the (name, report) shards, in shard order."""
    if not reports:
        raise ReportError("merge needs at least one report")
    first_name, first = reports[0]
    seen: dict[str, str] = {}
    cases: list[dict[str, Any]] = []
    regressions: list[str] | None = None
    for name, report in reports:
        for key in ("implementation", "layer", "grid", "seed"):
            if report.get(key) != first.get(key):
                raise ReportError(
                    f"{name} has {key} {report.get(key)!r} but {first_name} has {first.get(key)!r}"
                )
        for case in report["cases"]:
            if case["id"] in seen:
                raise ReportError(f"case {case['id']} is in both {seen[case['id']]} and {name}")
            seen[case["id"]] = name
            cases.append(case)
        if "regressions" in report:
            regressions = (regressions or []) + list(report["regressions"])
    return build_report(
        cases,
        implementation=first["implementation"],
        grid=first["grid"],
        seed=first.get("seed", 0),
        regressions=regressions,
        env=first.get("environment"),
        layer=first.get("layer", DEFAULT_LAYER),
    )
