"""The diagnosis (report.json's `diagnosis`) as the opening of every report.

The same items in three forms: lines for the terminal summary, a Markdown block for
summary.md and an HTML block for report.html.  The blocks sit between markers, so that
`gradgate explain` can put a new diagnosis into existing files without rewriting the rest
(report.html keeps its pictures).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from typing import Any

START, END = "<!-- gradgate:diagnosis -->", "<!-- /gradgate:diagnosis -->"  # in both files


@dataclass(frozen=True)
class _Item:
    """One explanation (or none) and its minimal case, ready to print."""

    text: str
    minimal: str  # "`ID` fails CHECK; the same with X passes", without markup
    minimal_id: str
    neighbour_id: str
    rerun: str


def _rerun(report: Mapping[str, Any], case_id: str) -> str:
    from gradgate.harness.engine import rerun_command

    return rerun_command(str(report["implementation"]), case_id, int(report.get("seed", 0)))


def _minimal_text(case: Mapping[str, Any]) -> str:
    from gradgate.harness.diagnosis.shrinking import changed_parts

    head = f"{case['id']} fails {case['check']}"
    neighbour = case.get("passing_neighbour") or ""
    if not neighbour:
        return head + "; no one-step simplification of it passes"
    parts = changed_parts(case["id"], neighbour)
    now = ", ".join(b for _, b in parts)
    was = ", ".join(a for a, _ in parts)
    return f"{head}; the same with {now} (not {was}) passes"


def _items(report: Mapping[str, Any]) -> list[_Item]:
    from gradgate.harness.diagnosis.factors import explanation_of

    diagnosis = report["diagnosis"]
    explanations = diagnosis.get("explanations", [])
    minimal = {explanation_of(m["id"], explanations): m for m in diagnosis["minimal_cases"]}
    keys: list[int | None] = list(range(len(explanations))) or [None]
    items = []
    for key in keys:  # without an explanation, the note says why: it heads the minimal case
        text = explanations[key]["text"] if key is not None else diagnosis.get("note", "")
        case = minimal.get(key)
        if case is None:
            items.append(_Item(text, "", "", "", ""))
            continue
        items.append(
            _Item(
                text,
                _minimal_text(case),
                case["id"],
                case.get("passing_neighbour") or "",
                _rerun(report, case["id"]),
            )
        )
    return items


def _note(report: Mapping[str, Any]) -> str:
    """The note, unless it already heads the items (when nothing explains the failures)."""
    diagnosis = report["diagnosis"]
    return str(diagnosis.get("note") or "") if diagnosis.get("explanations") else ""


def diagnosis_lines(report: Mapping[str, Any]) -> list[str]:
    """Plain lines for the terminal: each explanation, its minimal case and rerun command."""
    if not report.get("diagnosis"):
        return []
    items = _items(report)
    lines = []
    for n, item in enumerate(items, 1):
        label = f"diagnosis {n}/{len(items)}" if len(items) > 1 else "diagnosis"
        if item.text:
            lines.append(f"{label}: {item.text}")
        if item.minimal:
            lines.append(f"  smallest failing case: {item.minimal}")
            lines.append(f"  rerun: {item.rerun}")
    note = _note(report)
    if note:
        lines.append(f"diagnosis note: {note}")
    return lines


def diagnosis_markdown(report: Mapping[str, Any]) -> str:
    """The `## Diagnosis` block of summary.md, between its markers ("" without a diagnosis)."""
    if not report.get("diagnosis"):
        return ""
    lines = [START, "## Diagnosis", ""]
    for item in _items(report):
        if item.text:
            lines.append(f"- **{item.text}**")
        if item.minimal:
            rest = item.minimal[len(item.minimal_id) :]
            lines.append(f"  - smallest failing case: `{item.minimal_id}`{rest}")
            if item.neighbour_id:
                lines.append(f"  - passing neighbour: `{item.neighbour_id}`")
            lines.append(f"  - rerun: `{item.rerun}`")
    note = _note(report)
    if note:
        lines += ["", f"_{note}_"]
    return "\n".join([*lines, END, ""])


def diagnosis_html(report: Mapping[str, Any]) -> str:
    """The diagnosis section of report.html, between its markers ("" without a diagnosis)."""
    if not report.get("diagnosis"):
        return ""
    e = escape
    entries = []
    for item in _items(report):
        parts = [f"<b>{e(item.text)}</b>"] if item.text else []
        if item.minimal:
            rest = item.minimal[len(item.minimal_id) :]
            parts.append(f"smallest failing case: <code>{e(item.minimal_id)}</code>{e(rest)}")
            if item.neighbour_id:
                parts.append(f"passing neighbour: <code>{e(item.neighbour_id)}</code>")
            parts.append(f"rerun: <code>{e(item.rerun)}</code>")
        entries.append("<li>" + "<br>".join(parts) + "</li>")
    note = _note(report)
    note_html = f'<p class="msg"><i>{e(note)}</i></p>' if note else ""
    return (
        f'{START}<section id="diagnosis"><h2>Diagnosis</h2><ul>{"".join(entries)}</ul>'
        f"{note_html}</section>{END}\n"
    )


def splice(text: str, block: str, *, after: str) -> str:
    """`text` with its diagnosis block replaced by `block` (or `block` put right after the
    first occurrence of `after`, when it has none)."""
    start, end = text.find(START), text.find(END)
    if start != -1 and end > start:
        tail = text[end + len(END) :]
        return text[:start] + block + tail.removeprefix("\n")
    at = text.find(after)
    if at == -1:
        return block + text
    at += len(after)
    return text[:at] + block + text[at:]
