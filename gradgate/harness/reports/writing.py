"""Writing every report file of a run from the collected per-case results."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gradgate.cases.case import Case
from gradgate.harness.atomic import write_atomic
from gradgate.harness.diagnosis import DiagnosisSettings, with_diagnosis
from gradgate.harness.reports.baseline import Comparison, compare_reports
from gradgate.harness.reports.html import render_html
from gradgate.harness.reports.junit import settle_crashed
from gradgate.harness.reports.report_json import build_report, read_report, write_report
from gradgate.harness.reports.summary_md import render_summary

if TYPE_CHECKING:
    from gradgate.harness.options import GateOptions

FIGURES_DIR = ".figures"
JUNIT_PARTIAL = ".junit.xml.partial"
NO_RESULT = "no result: the run stopped before this case finished"
# Fields a case has when its worker died (gradgate/harness/rerun.py): its attempts (one when the
# hard time limit stopped it, else two), and an oracle's crash.
CRASH_FIELDS = ("attempts", "oracle_crash")
# Fields a case has when they apply: bits kept per quantity, derivatives it does not offer.
OPTIONAL_FIELDS = ("precision", "unsupported_derivatives")


def complete_cases(
    selected: list[Case], results: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """One entry per selected case, in selection order; cases without a result are `errored`."""
    out = []
    for case in selected:
        got = results.get(case.id, {"status": "errored", "message": NO_RESULT})
        out.append(
            {
                "id": case.id,
                "status": got["status"],
                "config": got.get("config", case.as_report_config()),
                "checks": got.get("checks", {}),
                "message": got.get("message", ""),
                "duration_s": got.get("duration_s", 0.0),
                **{k: got[k] for k in (*CRASH_FIELDS, *OPTIONAL_FIELDS) if k in got},
            }
        )
    return out


def write_reports(
    opts: GateOptions,
    selected: list[Case],
    results: dict[str, dict[str, Any]],
    diagnosis: DiagnosisSettings | None = None,
) -> dict[str, Any]:
    """report.json, summary.md, report.html and junit.xml in opts.report_dir; the report,
    with a diagnosis of its failures unless `diagnosis` turns it off."""
    assert opts.report_dir is not None
    out_dir = opts.report_dir
    cases = complete_cases(selected, results)
    comparison: Comparison | None = None
    regressions: list[str] | None = None
    report = build_report(
        cases, implementation=opts.impl, grid=opts.grid, seed=opts.seed, layer=opts.layer
    )
    if opts.baseline is not None:
        comparison = compare_reports(read_report(opts.baseline), report)
        regressions = comparison.regressions
        report = build_report(
            cases,
            implementation=opts.impl,
            grid=opts.grid,
            seed=opts.seed,
            regressions=regressions,
            env=report["environment"],
            layer=opts.layer,
        )
    report = with_diagnosis(report, diagnosis or DiagnosisSettings())
    figures = _collect_figures(out_dir / FIGURES_DIR)
    write_atomic(out_dir / "summary.md", render_summary(report, comparison))
    write_atomic(out_dir / "report.html", render_html(report, figures))
    partial = out_dir / JUNIT_PARTIAL
    if partial.exists():
        settle_crashed(partial, cases)
        os.replace(partial, out_dir / "junit.xml")
    write_report(out_dir / "report.json", report)  # last: its presence means the rest is there
    shutil.rmtree(out_dir / FIGURES_DIR, ignore_errors=True)
    return report


def _collect_figures(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        return {}
    return {p.stem: p.read_bytes() for p in sorted(folder.glob("*.png"))}
