"""The precision of a run, where people look: terminal lines, a summary.md table and the
report.html plot of bits against reduction length (docs/precision.md explains the numbers).

Everything here reads report.json's per-case `precision` objects, so `gradgate explain` and a
merged report show the same as the run that wrote them.
"""

from __future__ import annotations

import base64
import io
import math
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


def precision_plot(report: dict[str, Any]) -> bytes | None:
    """A PNG: per quantity, each case's bits against its reduction length (log scale), the
    band correct implementations land in shaded per dtype (from the fewest bits the model
    allows at each length up to the dtype's significand), failures marked with a cross."""
    rows = precision_rows(report)
    if not rows:
        return None
    from matplotlib.figure import Figure  # not pyplot: no global state, no GUI backend

    quantities = [q for q in QUANTITIES if any(r["quantity"] == q for r in rows)]
    width = 3.4 * len(quantities)
    fig = Figure(figsize=(width, 3.2), dpi=80)
    axes = fig.subplots(1, len(quantities), squeeze=False)
    for ax, q in zip(axes[0], quantities):
        for dtype in dict.fromkeys(r["dtype"] for r in rows):
            group = sorted(
                (r for r in rows if r["quantity"] == q and r["dtype"] == dtype),
                key=lambda r: r["terms"],
            )
            if not group:
                continue
            color = _COLORS.get(dtype, "#7f7f7f")
            xs = [max(r["terms"], 1) for r in group]
            floor = _running_floor(group)
            ax.fill_between(
                xs, floor, [r["dtype_bits"] for r in group], color=color, alpha=0.15, step="post"
            )
            ok = [r for r in group if r["passed"]]
            bad = [r for r in group if not r["passed"]]
            ax.scatter(
                [max(r["terms"], 1) for r in ok],
                [r["bits"] for r in ok],
                s=8,
                color=color,
                label=dtype,
            )
            if bad:
                ax.scatter(
                    [max(r["terms"], 1) for r in bad],
                    [r["bits"] for r in bad],
                    s=30,
                    marker="x",
                    color="black",
                    label=f"{dtype} failed",
                )
        ax.set_xscale("log", base=2)
        ax.set_xlabel("terms summed per element")
        ax.set_ylabel("bits kept")
        ax.set_title(f"{q}", fontsize=9)
        ax.legend(fontsize=6, loc="lower left")
    fig.suptitle(
        "precision: bits against reduction length; shaded: where correct layers land", fontsize=8
    )
    # Fixed margins in inches (tight_layout measured every label: 0.7 s per report).
    fig.subplots_adjust(
        left=0.55 / width, right=1 - 0.1 / width, bottom=0.16, top=0.84, wspace=0.45
    )
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


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
    png = precision_plot(report)
    picture = ""
    if png is not None:
        data = base64.b64encode(png).decode()
        picture = f'<img alt="bits against reduction length" src="data:image/png;base64,{data}">'
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
