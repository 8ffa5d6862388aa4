"""report.html: one self-contained page, a sortable table of cases and a picture per failure.

Every string from a report (ids, messages, names) is escaped before it reaches the page.
"""

from __future__ import annotations

import base64
import re
from html import escape
from typing import Any

from gradgate.harness.reports.diagnosis_section import diagnosis_html
from gradgate.harness.reports.precision_section import precision_html
from gradgate.harness.reports.report_json import layer_note, oracle_crashes, worst_ratio
from gradgate.harness.reports.summary_md import headline

CONTRACT_CHECKS = ("contract:", "repeat:")
_STYLE = """
body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 6px;vertical-align:top}
th{background:#eee;cursor:pointer}td.num{text-align:right;font-variant-numeric:tabular-nums}
.passed{color:#176f2c}.failed,.errored{color:#b00020;font-weight:bold}.unsupported{color:#777}
code{font-size:12px;white-space:nowrap}.msg{max-width:80em;font-size:12px}
a{color:inherit}img{border:1px solid #ddd}
"""
_SORT_SCRIPT = """
document.querySelectorAll('th').forEach(function(th, col){
  th.addEventListener('click', function(){
    var body = th.closest('table').tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var asc = th.dataset.asc !== '1'; th.dataset.asc = asc ? '1' : '0';
    rows.sort(function(a, b){
      var x = a.cells[col].dataset.v || a.cells[col].textContent;
      var y = b.cells[col].dataset.v || b.cells[col].textContent;
      var nx = parseFloat(x), ny = parseFloat(y);
      var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
      return asc ? c : -c;
    });
    rows.forEach(function(r){ body.appendChild(r); });
  });
});
"""


def _message(message: str) -> str:
    """The escaped message, one failing check per line."""
    parts = re.split(r"; (?=[a-z]+:[A-Za-z]+: )|\. (?=Rerun: )", message)
    return "<br>".join(escape(part) for part in parts)


def _ratio(r: float) -> str:
    """A ratio for the table; the float maximum stands for an infinite ratio (error, bound 0)."""
    return "inf" if r >= 1e300 else f"{r:.3g}"


def render_html(report: dict[str, Any], figures: dict[str, bytes]) -> str:
    e = escape
    title = f"gradgate: {report['implementation']}{layer_note(report)} on the {report['grid']} grid"
    check_names = sorted(  # oracle checks get a column each; contract checks share one
        {
            name
            for c in report["cases"]
            for name in c.get("checks", {})
            if not name.startswith(CONTRACT_CHECKS)
        }
    )
    columns = ["case", "status", "worst ratio", *check_names, "contract"]
    head = "".join(f"<th>{e(n)}</th>" for n in columns)
    rows = []
    for c in report["cases"]:
        failing = c["status"] in ("failed", "errored")
        label = f'<a href="#{e(c["id"])}">{e(c["id"])}</a>' if failing else e(c["id"])
        cells = [
            f"<td><code>{label}</code></td>",
            f'<td class="{e(c["status"])}">{e(c["status"])}</td>',
            f'<td class="num" data-v="{worst_ratio(c):.6g}">{_ratio(worst_ratio(c))}</td>',
        ]
        for name in check_names:
            check = c.get("checks", {}).get(name)
            if check is None:
                cells.append('<td data-v="-1"></td>')
            else:
                cls = "passed" if check["passed"] else "failed"
                r = float(check["error_ratio"])
                cells.append(f'<td class="num {cls}" data-v="{r:.6g}">{_ratio(r)}</td>')
        contract = [
            k
            for k, v in c.get("checks", {}).items()
            if k.startswith(CONTRACT_CHECKS) and not v["passed"]
        ]
        verdict = ", ".join(contract) if contract else "ok"
        cells.append(f'<td class="{"failed" if contract else "passed"}">{e(verdict)}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    failures = []
    for c in report["cases"]:
        if c["status"] not in ("failed", "errored"):
            continue
        picture = ""
        if c["id"] in figures:
            data = base64.b64encode(figures[c["id"]]).decode()
            picture = (
                f'<img alt="error heatmap for {e(c["id"])}" src="data:image/png;base64,{data}">'
            )
        failures.append(
            f'<h3 id="{e(c["id"])}"><code>{e(c["id"])}</code> '
            f'<span class="{e(c["status"])}">{e(c["status"])}</span></h3>'
            f'<p class="msg">{_message(c["message"])}</p>{picture}'
        )
    regressions = report.get("regressions") or []
    reg_html = ""
    if regressions:
        items = "".join(f"<li><code>{e(r)}</code></li>" for r in regressions)
        reg_html = f"<h2>Regressions against the baseline ({len(regressions)})</h2><ul>{items}</ul>"
    crashes = oracle_crashes(report)
    if crashes:
        items = "".join(f"<li><code>{e(i)}</code>: {e(t)}</li>" for i, t in crashes)
        reg_html += f"<h2>Oracle crashes, not the implementation's fault ({len(crashes)})</h2>"
        reg_html += f"<ul>{items}</ul>"
    env = ", ".join(f"{e(k)} {e(str(v))}" for k, v in report.get("environment", {}).items())
    diagnosis = diagnosis_html(report)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title><style>{_STYLE}</style></head>
<body><h1>{e(title)}</h1>
{diagnosis}<p><b>{e(headline(report))}</b> (seed {e(str(report.get("seed", 0)))}). {env}</p>
<p>Error ratio = error / the bound derived for that element; a check passes at &le; 1.
Click a column to sort.</p>
{reg_html}
{precision_html(report)}
<h2>Failures ({len(failures)})</h2>{"".join(failures) or "<p>None.</p>"}
<h2>Cases</h2><table><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>
<script>{_SORT_SCRIPT}</script></body></html>
"""
