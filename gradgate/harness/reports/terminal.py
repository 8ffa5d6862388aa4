"""The short summary printed at the end of a run: statuses, worst ratios, reasons, paths."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gradgate.harness.reports.diagnosis_section import diagnosis_lines
from gradgate.harness.reports.precision_section import precision_lines
from gradgate.harness.reports.report_json import (
    inconclusive_checks,
    oracle_crashes,
    unsupported_derivatives,
    worst_ratio,
)
from gradgate.harness.reports.summary_md import headline

MAX_REASONS = 20
REASON_WIDTH = 220


def summary_lines(report: dict[str, Any], report_dir: Path | None) -> list[str]:
    s = report["summary"]
    lines = ["", "=" * 30 + " gradgate " + "=" * 30, *diagnosis_lines(report), headline(report)]
    lines.append("  ".join(f"{k}: {s[k]}" for k in ("passed", "failed", "errored", "unsupported")))
    ranked = sorted(report["cases"], key=worst_ratio, reverse=True)[:5]
    if ranked:
        lines.append("worst error ratios (error / bound, passes at <= 1):")
        lines += [f"  {worst_ratio(c):10.3g}  {c['status']:<11} {c['id']}" for c in ranked]
    lines += precision_lines(report)
    lines += unsupported_derivatives(report)
    inconclusive = inconclusive_checks(report)
    if inconclusive:
        lines.append(
            f"inconclusive checks ({inconclusive}): oracles that cannot decide at the case's "
            "precision, said so per check in report.json"
        )
    bad = [c for c in report["cases"] if c["status"] in ("failed", "errored")]
    if bad:
        lines.append(f"failing cases ({len(bad)}):")
        for c in bad[:MAX_REASONS]:
            reason = " ".join(c["message"].split())
            if len(reason) > REASON_WIDTH:
                reason = reason[: REASON_WIDTH - 1] + "…"
            lines.append(f"  {c['status'].upper():8} {c['id']}: {reason}")
        if len(bad) > MAX_REASONS:
            lines.append(f"  … and {len(bad) - MAX_REASONS} more in the reports")
    crashes = oracle_crashes(report)
    if crashes:
        lines.append(f"oracle crashes, not the implementation's fault ({len(crashes)}):")
        lines += [f"  ORACLE   {case_id}: {text}" for case_id, text in crashes[:MAX_REASONS]]
    regressions = report.get("regressions") or []
    if regressions:
        lines.append(
            f"regressions against the baseline ({len(regressions)}): "
            + ", ".join(regressions[:10])
            + (" …" if len(regressions) > 10 else "")
        )
    if report_dir is not None:
        names = ("report.json", "summary.md", "report.html", "junit.xml")
        lines.append(
            "reports: " + ", ".join(str(report_dir / n) for n in names if (report_dir / n).exists())
        )
    return lines
