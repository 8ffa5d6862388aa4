"""The conformance table of docs/conformance.md, from gradgate report.json files.

One row per framework, one column per factor; a cell counts the cases that have the factor,
by verdict (passed / failed / errored / unsupported).  Cells with failed or errored cases
link to the framework's findings.

    python benchmarks/conformance_table.py jax=runs/jax-full/report.json ... > table.md

NAME=A.json,B.json merges several reports of one framework (say default and full), each case
counted once.  With --precision: the float16/bfloat16 table (verdicts and bits per quantity).
With --derivatives: forward mode's and the second order's verdicts (runs with `--derivatives
first,forward,second`).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from gradgate.cases.axes import kernel_fields, spatial_of_config
from gradgate.reference_impl.activations import ACTIVATIONS

Config = dict[str, Any]
STATUSES = ("passed", "failed", "errored", "unsupported")


def _kernel(c: Config) -> list[int]:
    return [c[k] for k in kernel_fields(spatial_of_config(c))]


def _padding_beyond_kernel(c: Config) -> bool:
    """Some side padded by more than the dilated kernel's reach, dilation * (k - 1)."""
    reach = [d * (k - 1) for d, k in zip(c["dilation"], _kernel(c))]
    return any(p > reach[i // 2] for i, p in enumerate(c["padding"]))


def _asymmetric(c: Config) -> bool:
    return any(p != q for p, q in zip(c["padding"][::2], c["padding"][1::2]))


def _depthwise(c: Config) -> bool:
    return c["groups"] == c["in_ch"] > 1


FACTORS: tuple[tuple[str, Callable[[Config], bool]], ...] = (
    ("stride > 1", lambda c: max(c["stride"]) > 1),
    ("asymmetric padding", _asymmetric),
    ("padding > dilation·(k-1)", _padding_beyond_kernel),
    ("dilation > 1", lambda c: max(c["dilation"]) > 1),
    ("output padding", lambda c: max(c["output_padding"]) > 0),
    ("groups (not depthwise)", lambda c: c["groups"] > 1 and not _depthwise(c)),
    ("depthwise", _depthwise),
    *((name, lambda c, name=name: c["activation"] == name) for name in ACTIVATIONS),
    ("float32", lambda c: c["dtype"] == "float32"),
    ("float64", lambda c: c["dtype"] == "float64"),
)


def cell(cases: Sequence[dict[str, Any]], link: str) -> str:
    counts = {s: sum(c["status"] == s for c in cases) for s in STATUSES}
    text = " / ".join(str(counts[s]) for s in STATUSES)
    return f"[{text}]({link})" if counts["failed"] or counts["errored"] else text


def table(reports: Sequence[tuple[str, dict[str, Any]]]) -> str:
    head = ["framework", "all cases", *(name for name, _ in FACTORS)]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for name, report in reports:
        link = f"findings/{name}.md"
        cases = report["cases"]
        row = [f"[{name}]({link})", cell(cases, link)]
        row += [cell([c for c in cases if has(c["config"])], link) for _, has in FACTORS]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


LOW_DTYPES = ("float16", "bfloat16")


def _median(values: list[float]) -> str:
    if not values:
        return "-"
    s = sorted(values)
    mid = len(s) // 2
    return f"{(s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2):.1f}"


def precision_table(reports: Sequence[tuple[str, dict[str, Any]]]) -> str:
    """Per framework and low-precision dtype: the verdicts, and the median bits kept per
    quantity over the cases in scope (a correctly rounded result keeps 11 / 8), with the
    quantities `precision:*` failed on."""
    head = [
        "framework",
        "dtype",
        "passed / failed / errored / unsupported",
        "bits Y",
        "bits dX",
        "bits dW",
        "bits db",
        "failing checks",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for name, report in reports:
        for dtype in LOW_DTYPES:
            cases = [c for c in report["cases"] if c["config"]["dtype"] == dtype]
            if not cases:
                continue
            bits = [
                _median([c["precision"][q]["bits"] for c in cases if q in c.get("precision", {})])
                for q in ("Y", "dX", "dW", "db")
            ]
            failing: dict[str, int] = {}
            for c in cases:
                for check, v in c.get("checks", {}).items():
                    if not v["passed"]:
                        failing[check] = failing.get(check, 0) + 1
            text = ", ".join(f"{k} ({n})" for k, n in sorted(failing.items())) or "none"
            link = f"findings/{name}.md"
            row = [f"[{name}]({link})", dtype, cell(cases, link), *bits, text]
            lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


# A derivative's checks: its quantities', its contract check, and (second) the symmetry.
DERIVATIVE_CHECKS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "forward": (("jY",), ("contract:jvp",)),
    "second": (("gdY", "gX", "gW", "gb"), ("contract:double_backward", "adjoint:hessian")),
}
DERIVATIVE_VERDICTS = ("passed", "failed", "errored", "not checked", "unsupported")
# How an errored case's message starts when the derivative's own function raised or died.
FUNCTION_OF = {"forward": "jvp", "second": "double_backward"}


def derivative_verdict(case: dict[str, Any], derivative: str) -> tuple[str, list[str]]:
    """(verdict of one derivative on a case, its failing checks): `not checked` when the first
    derivative broke the contract or raised (the gate then checks no higher one)."""
    if case["status"] == "unsupported" or derivative in case.get("unsupported_derivatives", {}):
        return "unsupported", []
    function = FUNCTION_OF[derivative]
    message = case.get("message", "")
    if case["status"] == "errored" and (
        message.startswith(f"{function} raised") or f"died in {function}" in message
    ):
        return "errored", []
    quantities, others = DERIVATIVE_CHECKS[derivative]
    mine = {
        name: check
        for name, check in case.get("checks", {}).items()
        if name.partition(":")[2] in quantities or name in others
    }
    if not mine:
        return "not checked", []
    failing = [name for name, check in mine.items() if not check["passed"]]
    return ("failed" if failing else "passed"), failing


def derivative_table(reports: Sequence[tuple[str, dict[str, Any]]]) -> str:
    head = [
        "framework",
        "derivative",
        "passed / failed / errored / not checked / unsupported",
        "failing checks (cases)",
        "unsupported because (cases; the rest: the case itself)",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for name, report in reports:
        for derivative in DERIVATIVE_CHECKS:
            counts = dict.fromkeys(DERIVATIVE_VERDICTS, 0)
            failing: dict[str, int] = {}
            reasons: dict[str, int] = {}
            for case in report["cases"]:
                verdict, checks = derivative_verdict(case, derivative)
                counts[verdict] += 1
                for check in checks:
                    failing[check] = failing.get(check, 0) + 1
                reason = case.get("unsupported_derivatives", {}).get(derivative)
                if reason:
                    short = reason if len(reason) <= 110 else reason[:109] + "…"
                    reasons[short] = reasons.get(short, 0) + 1
            text = " / ".join(str(counts[v]) for v in DERIVATIVE_VERDICTS)
            failed = ", ".join(f"{k} ({n})" for k, n in sorted(failing.items())) or "none"
            why = "; ".join(f"{k} ({n})" for k, n in sorted(reasons.items())) or "-"
            lines.append(
                f"| [{name}](findings/{name}.md) | {derivative} | {text} | {failed} | {why} |"
            )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str]) -> int:
    low = "--precision" in argv
    higher = "--derivatives" in argv
    argv = [a for a in argv if a not in ("--precision", "--derivatives")]
    if not argv or any("=" not in a for a in argv):
        print(__doc__, file=sys.stderr)
        return 2
    reports = []
    for arg in argv:
        name, _, paths = arg.partition("=")
        cases: dict[str, dict[str, Any]] = {}
        for path in paths.split(","):
            for case in json.loads(Path(path).read_text())["cases"]:
                cases.setdefault(case["id"], case)
        reports.append((name, {"cases": list(cases.values())}))
    if low:
        print(precision_table(reports), end="")
        return 0
    if higher:
        print(derivative_table(reports), end="")
        return 0
    print("Each cell: passed / failed / errored / unsupported cases that have the factor.\n")
    print(table(reports), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
