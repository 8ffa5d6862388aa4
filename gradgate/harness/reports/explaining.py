"""`gradgate explain REPORT.json`: the diagnosis of an existing report, written back.

report.json gets the new `diagnosis` (or loses a stale one when nothing failed); summary.md
and report.html beside it, when they exist, get the diagnosis block in place of the old one
and are otherwise left as they are (report.html keeps its pictures).  Every file is replaced
atomically, report.json last.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gradgate.harness.atomic import write_atomic
from gradgate.harness.diagnosis import DiagnosisSettings, with_diagnosis
from gradgate.harness.reports.diagnosis_section import diagnosis_html, diagnosis_markdown, splice
from gradgate.harness.reports.report_json import read_report, write_report


def explain_report(path: Path, settings: DiagnosisSettings) -> dict[str, Any]:
    """The report at `path` with its diagnosis, after writing it back; ReportError if the file
    is not a readable gradgate report."""
    report = with_diagnosis(read_report(path), settings)
    for name, block, after in (
        ("summary.md", diagnosis_markdown(report), "\n\n"),
        ("report.html", diagnosis_html(report), "</h1>\n"),
    ):
        beside = path.with_name(name)
        if beside.exists():
            write_atomic(beside, splice(beside.read_text(), block, after=after))
    write_report(path, report)
    return report
