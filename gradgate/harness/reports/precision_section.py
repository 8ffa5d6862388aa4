"""The precision of a run, where people look: terminal lines, a summary.md table and the
report.html plot (SVG) of bits against reduction length (docs/precision.md explains the numbers).

Everything here reads report.json's per-case `precision` objects, so `gradgate explain` and a
merged report show the same as the run that wrote them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from html import escape
from typing import Any

QUANTITIES = ("Y", "dX", "dW", "db")


def precision_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per (case, quantity) with a precision verdict."""
    rows = []
    for case in report["cases"]:
        dtype = case.get("config", {}).get("dtype", "")
        for q, v in (case.get("precision") or {}).items():
            check = case.get("checks", {}).get(f"precision:{q}", {})
            rows.append(
                {
                    "id": case["id"],
                    "dtype": dtype,
                    "quantity": q,
                    "passed": check.get("passed", True),
                    **v,
                }
            )
    return rows


def _median(values: list[float]) -> float:
    s = sorted(values)
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


def summary_table(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Per dtype and quantity: cases, failures, median and worst bits (with the worst case),
    the median the model expects, and the longest reduction."""
    rows = precision_rows(report)
    out = []
    dtypes = list(dict.fromkeys(r["dtype"] for r in rows))
    for dtype in dtypes:
        for q in QUANTITIES:
            group = [r for r in rows if r["dtype"] == dtype and r["quantity"] == q]
            if not group:
                continue
            worst = max(group, key=lambda r: (r["ratio"], -r["bits"]))
            out.append(
                {
                    "dtype": dtype,
                    "quantity": q,
                    "cases": len(group),
                    "failed": sum(not r["passed"] for r in group),
                    "dtype_bits": group[0]["dtype_bits"],
                    "median_bits": _median([r["bits"] for r in group]),
                    "expected_bits": _median([r["expected_bits"] for r in group]),
                    "worst_bits": worst["bits"],
                    "worst_allowed": worst["allowed_bits"],
                    "worst_id": worst["id"],
                    "worst_ratio": worst["ratio"],
                    "max_terms": max(r["terms"] for r in group),
                }
            )
    return out


def precision_lines(report: dict[str, Any]) -> list[str]:
    """Terminal lines: bits per dtype and quantity, the closest case to failing."""
    table = summary_table(report)
    if not table:
        return []
    lines = ["precision (bits kept; a correctly rounded result keeps the dtype's significand):"]
    for t in table:
        lines.append(
            f"  {t['dtype']:<8} {t['quantity']:<2}  median {t['median_bits']:5.1f} of "
            f"{t['dtype_bits']} (model {t['expected_bits']:.1f}); closest to failing: "
            f"{t['worst_bits']:.1f}, allowed {t['worst_allowed']:.1f}, ratio {t['worst_ratio']:.2g}"
            + (f", {t['failed']} FAILED" if t["failed"] else "")
            + f"  [{t['worst_id']}]"
        )
    return lines


def precision_markdown(report: dict[str, Any]) -> list[str]:
    table = summary_table(report)
    if not table:
        return []
    lines = [
        "## Precision (bits kept per quantity)",
        "",
        "bits = min(p, -log2(||got - exact|| / ||exact||)); p is the dtype's significand "
        "(float64 53, float32 24, float16 11, bfloat16 8). *allowed* is the fewest bits "
        "rounding at the declared precision can leave (docs/precision.md).",
        "",
        "| dtype | quantity | cases | failed | median bits | model | closest to failing "
        "| allowed there | case | longest reduction |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
    ]
    for t in table:
        lines.append(
            f"| {t['dtype']} | {t['quantity']} | {t['cases']} | {t['failed']} | "
            f"{t['median_bits']:.1f} | {t['expected_bits']:.1f} | {t['worst_bits']:.1f} | "
            f"{t['worst_allowed']:.1f} | `{t['worst_id']}` | {t['max_terms']} |"
        )
    return [*lines, ""]


_COLORS = {"float64": "#1f77b4", "float32": "#2ca02c", "float16": "#ff7f0e", "bfloat16": "#d62728"}


def _color(dtype: str) -> str:
    return _COLORS.get(dtype, "#7f7f7f")


# The plot's geometry, in pixels: one panel per quantity.
_PANEL_W, _PANEL_H = 272, 256
_LEFT, _RIGHT, _TOP, _BOTTOM = 44, 10, 48, 40


def precision_plot(report: dict[str, Any]) -> str | None:
    """An inline SVG: per quantity, each case's bits against its reduction length (log scale),
    the band correct implementations land in shaded per dtype (from the fewest bits the model
    allows at each length up to the dtype's significand), failures marked with a cross.

    Drawn by hand rather than with matplotlib, whose import and PNG rendering cost every run a
    second and a half for one picture of dots."""
    rows = precision_rows(report)
    if not rows:
        return None
    quantities = [q for q in QUANTITIES if any(r["quantity"] == q for r in rows)]
    dtypes = list(dict.fromkeys(r["dtype"] for r in rows))
    lo = math.log2(min(max(r["terms"], 1) for r in rows)) - 0.5  # half an octave each side
    hi = max(math.log2(max(max(r["terms"], 1) for r in rows)), lo + 1) + 0.5
    top_bits = max(r["dtype_bits"] for r in rows) + 2
    w, h = _PANEL_W - _LEFT - _RIGHT, _PANEL_H - _TOP - _BOTTOM

    def x(terms: float) -> float:
        return _LEFT + w * (math.log2(max(terms, 1)) - lo) / (hi - lo)

    def y(bits: float) -> float:
        return _TOP + h * (1 - max(bits, 0) / top_bits)

    parts = []
    for i, q in enumerate(quantities):
        panel = [f'<g transform="translate({i * _PANEL_W},0)">']
        panel.append(
            f'<rect x="{_LEFT}" y="{_TOP}" width="{w}" height="{h}" fill="none" stroke="#444"/>'
            f'<text x="{_LEFT + w / 2}" y="{_TOP - 6}" text-anchor="middle" '
            f'font-size="11">{q}</text>'
            f'<text x="{_LEFT + w / 2}" y="{_PANEL_H - 8}" text-anchor="middle" font-size="9">'
            "terms summed per element</text>"
            f'<text transform="translate(11,{_TOP + h / 2}) rotate(-90)" text-anchor="middle" '
            'font-size="9">bits kept</text>'
        )
        for k in range(math.ceil(lo), math.floor(hi) + 1, max(1, round((hi - lo) / 5))):
            panel.append(
                f'<text x="{x(2**k):.1f}" y="{_TOP + h + 12}" text-anchor="middle" '
                f'font-size="8">2^{k}</text>'
            )
        for bits in range(0, top_bits + 1, 10 if top_bits > 30 else 4):
            panel.append(
                f'<text x="{_LEFT - 4}" y="{y(bits) + 3:.1f}" text-anchor="end" '
                f'font-size="8">{bits}</text>'
            )
        for dtype in dtypes:
            group = sorted(
                (r for r in rows if r["quantity"] == q and r["dtype"] == dtype),
                key=lambda r: r["terms"],
            )
            if not group:
                continue
            color = _color(dtype)
            panel.append(_band(group, x, y, _LEFT + w, color))
            for r in group:
                cx, cy = x(r["terms"]), y(r["bits"])
                if r["passed"]:
                    panel.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="2" fill="{color}"/>')
                else:
                    panel.append(
                        f'<path d="M{cx - 4:.1f},{cy - 4:.1f}l8,8m0,-8l-8,8" stroke="black" '
                        'stroke-width="1.5"/>'
                    )
        panel.append("</g>")
        parts.append("".join(panel))
    width = _PANEL_W * len(quantities)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-label="bits against reduction length" width="{width}" height="{_PANEL_H}" '
        f'viewBox="0 0 {width} {_PANEL_H}" font-family="sans-serif" style="background:#fff">'
        f'<text x="{width / 2}" y="14" text-anchor="middle" font-size="10">precision: bits '
        "against reduction length; shaded: where correct layers land; x: failed</text>"
        + "".join(
            f'<text x="{width / 2 + 60 * (j - (len(dtypes) - 1) / 2):.0f}" y="27" '
            f'text-anchor="middle" font-size="9" fill="{_color(d)}">'
            f"\u25cf {escape(d)}</text>"
            for j, d in enumerate(dtypes)
        )
        + "".join(parts)
        + "</svg>"
    )


def _band(
    group: list[dict[str, Any]],
    x: Callable[[float], float],
    y: Callable[[float], float],
    right: float,
    color: str,
) -> str:
    """The shaded band, a step from the running floor (see `_running_floor`) up to the dtype's
    significand, from the shortest reduction to the panel's right edge."""
    floor = _running_floor(group)
    xs = [x(r["terms"]) for r in group] + [right]
    lower = []
    for k, low in enumerate(floor):
        lower += [(xs[k], y(low)), (xs[k + 1], y(low))]
    upper = [(px, y(group[-1]["dtype_bits"])) for px, _ in reversed(lower)]
    points = " ".join(f"{px:.1f},{py:.1f}" for px, py in lower + upper)
    return f'<polygon points="{points}" fill="{color}" fill-opacity="0.15"/>'


def _running_floor(group: list[dict[str, Any]]) -> list[float]:
    """The fewest bits the model allows at each length: the lowest allowed so far, so the
    band widens with the reduction as the model's does."""
    out, low = [], math.inf
    for r in group:
        low = min(low, r["allowed_bits"])
        out.append(low)
    return out


def precision_html(report: dict[str, Any]) -> str:
    table = summary_table(report)
    if not table:
        return ""
    picture = precision_plot(report) or ""
    rows = "".join(
        f"<tr><td>{escape(t['dtype'])}</td><td>{t['quantity']}</td><td class=num>{t['cases']}</td>"
        f"<td class=num>{t['failed']}</td><td class=num>{t['median_bits']:.1f}</td>"
        f"<td class=num>{t['expected_bits']:.1f}</td><td class=num>{t['worst_bits']:.1f}</td>"
        f"<td class=num>{t['worst_allowed']:.1f}</td>"
        f"<td><code>{escape(t['worst_id'])}</code></td></tr>"
        for t in table
    )
    return (
        "<h2>Precision</h2><p>Bits kept per quantity against the float64 oracle: "
        "min(p, -log2(||got - exact|| / ||exact||)), p the dtype's significand. The shaded band "
        "runs from the fewest bits rounding at the declared precision allows to p.</p>"
        f"{picture}<table><thead><tr><th>dtype</th><th>quantity</th><th>cases</th><th>failed</th>"
        "<th>median bits</th><th>model</th><th>closest to failing</th><th>allowed there</th>"
        f"<th>case</th></tr></thead><tbody>{rows}</tbody></table>"
    )
