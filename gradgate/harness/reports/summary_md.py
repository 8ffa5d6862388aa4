"""summary.md: GitHub-flavoured Markdown for a CI job summary, always under 1 MiB."""

from __future__ import annotations

from typing import Any

from gradgate.harness.reports.baseline import BITS_NOISE, Comparison
from gradgate.harness.reports.diagnosis_section import diagnosis_markdown
from gradgate.harness.reports.precision_section import precision_markdown
from gradgate.harness.reports.report_json import (
    inconclusive_checks,
    layer_note,
    oracle_crashes,
    unsupported_derivatives,
    worst_ratio,
)

MAX_LISTED = 200
MAX_REASON = 400
MAX_BYTES = 1 << 20


def _cell(text: str, limit: int = MAX_REASON) -> str:
    text = " ".join(str(text).split()).replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def headline(report: dict[str, Any]) -> str:
    s = report["summary"]
    verdict = (
        "PASS"
        if s["failed"] == 0 and s["errored"] == 0 and not report.get("regressions")
        else "FAIL"
    )
    return (
        f"{verdict}: {s['passed']} passed, {s['failed']} failed, {s['errored']} errored, "
        f"{s['unsupported']} unsupported of {s['total']} cases"
    )


def render_summary(report: dict[str, Any], comparison: Comparison | None = None) -> str:
    lines = [
        f"# gradgate: `{report['implementation']}`{layer_note(report)} "
        f"on the `{report['grid']}` grid",
        "",
        *([diagnosis_markdown(report)] if report.get("diagnosis") else []),
        f"**{headline(report)}** (seed {report.get('seed', 0)})",
        "",
        "| status | cases |",
        "| --- | ---: |",
        *(f"| {k} | {v} |" for k, v in report["summary"].items() if k != "total"),
        "",
    ]
    lines += precision_markdown(report)
    lines += [f"**{line}**" for line in unsupported_derivatives(report)]
    lines += [""] if unsupported_derivatives(report) else []
    inconclusive = inconclusive_checks(report)
    if inconclusive:
        lines += [
            f"**{inconclusive} checks inconclusive**: their oracle cannot decide at the case's "
            "precision (each says why in report.json); they neither pass nor fail a case.",
            "",
        ]
    crashes = oracle_crashes(report)
    if crashes:
        lines += [f"## Oracle crashes, not the implementation's fault ({len(crashes)})", ""]
        lines += [f"- `{case_id}`: {_cell(text)}" for case_id, text in crashes[:MAX_LISTED]]
        lines += _more(len(crashes)) + [""]
    regressions = report.get("regressions") or []
    if regressions:
        lines += [f"## Regressions against the baseline ({len(regressions)})", ""]
        lines += [f"- `{r}`" for r in regressions[:MAX_LISTED]]
        lines += _more(len(regressions)) + [""]
    bad = [c for c in report["cases"] if c["status"] in ("failed", "errored")]
    if bad:
        lines += [
            f"## Failing cases ({len(bad)})",
            "",
            "| case | status | worst ratio | reason |",
            "| --- | --- | ---: | --- |",
        ]
        for c in bad[:MAX_LISTED]:
            lines.append(
                f"| `{c['id']}` | {c['status']} | {worst_ratio(c):.3g} | {_cell(c['message'])} |"
            )
        lines += _more(len(bad)) + [""]
    ranked = sorted(report["cases"], key=worst_ratio, reverse=True)[:10]
    lines += [
        "## Worst error ratios",
        "",
        "| case | status | worst check | ratio |",
        "| --- | --- | --- | ---: |",
    ]
    for c in ranked:
        checks = c.get("checks", {})
        name = max(checks, key=lambda k: checks[k]["error_ratio"]) if checks else "-"
        lines.append(f"| `{c['id']}` | {c['status']} | {name} | {worst_ratio(c):.3g} |")
    lines.append("")
    if comparison is not None:
        lines += _comparison_lines(comparison)
    text = "\n".join(lines) + "\n"
    while len(text.encode()) > MAX_BYTES:  # pathological messages: cut from the end
        text = text[: len(text) // 2] + "\n\n(summary truncated to stay under 1 MiB)\n"
    return text


def _more(n: int) -> list[str]:
    return ["", f"… and {n - MAX_LISTED} more (see report.json)"] if n > MAX_LISTED else []


def _comparison_lines(cmp: Comparison) -> list[str]:
    lines = ["## Against the baseline", ""]
    lines.append(
        f"{len(cmp.regressions)} regressed, {len(cmp.fixed)} fixed, {len(cmp.drift)} drifted, "
        f"{len(cmp.new)} new, {len(cmp.removed)} removed"
    )
    lines.append("")
    if cmp.bits_lost:
        lines += [
            f"Precision lost beyond noise ({BITS_NOISE:g} bits), a regression though passing:",
            "",
            "| case | quantity | bits before | bits now |",
            "| --- | --- | ---: | ---: |",
        ]
        lines += [
            f"| `{i}` | {q} | {a:.1f} | {b:.1f} |" for i, q, a, b in cmp.bits_lost[:MAX_LISTED]
        ]
        lines.append("")
    if cmp.drift:
        lines += [
            "| drifted case (still passing) | old ratio | new ratio |",
            "| --- | ---: | ---: |",
        ]
        lines += [f"| `{i}` | {a:.3g} | {b:.3g} |" for i, a, b in cmp.drift[:MAX_LISTED]]
        lines.append("")
    for title, ids in (
        ("Fixed", cmp.fixed),
        ("New cases", cmp.new),
        ("Removed cases", cmp.removed),
    ):
        if ids:
            lines += [f"**{title}:** " + ", ".join(f"`{i}`" for i in ids[:MAX_LISTED]), ""]
    return lines
