"""Comparing a run with a baseline report: regressions, drift, new and removed cases."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gradgate.harness.reports.report_json import worst_ratio

# A passing case whose worst error ratio grew this many times is reported as drift.
DRIFT_FACTOR = 10.0
# Ratios below this are rounding noise: growth from them is not drift.
DRIFT_FLOOR = 1e-3
# A quantity that keeps this many fewer bits than in the baseline, on the same case and seed,
# regressed even though it passes: a summation order changes bits by less (a reordered
# float32 reduction by about 1 bit, measured in docs/precision.md); 2 bits is 4 times the error.
BITS_NOISE = 2.0


@dataclass
class Comparison:
    regressions: list[str] = field(default_factory=list)  # passed before, failed or errored now
    fixed: list[str] = field(default_factory=list)  # failed or errored before, passed now
    drift: list[tuple[str, float, float]] = field(default_factory=list)  # id, old, new ratio
    new: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    # id, quantity, old bits, new bits: a passing case that lost precision beyond noise
    bits_lost: list[tuple[str, str, float, float]] = field(default_factory=list)


def lost_bits(before: dict[str, Any], now: dict[str, Any]) -> list[tuple[str, float, float]]:
    """(quantity, old bits, new bits) for each quantity that lost more than BITS_NOISE bits."""
    old, new = before.get("precision") or {}, now.get("precision") or {}
    return [
        (q, float(old[q]["bits"]), float(v["bits"]))
        for q, v in new.items()
        if q in old and float(old[q]["bits"]) - float(v["bits"]) > BITS_NOISE
    ]


def compare_reports(base: dict[str, Any], new: dict[str, Any]) -> Comparison:
    old_cases = {c["id"]: c for c in base["cases"]}
    new_cases = {c["id"]: c for c in new["cases"]}
    out = Comparison()
    for case_id, case in new_cases.items():
        before = old_cases.get(case_id)
        if before is None:
            out.new.append(case_id)
            continue
        was, now = before["status"], case["status"]
        if was == "passed" and now in ("failed", "errored"):
            out.regressions.append(case_id)
        elif was in ("failed", "errored") and now == "passed":
            out.fixed.append(case_id)
        elif was == "passed" and now == "passed":
            drops = lost_bits(before, case)
            if drops:
                out.regressions.append(case_id)
                out.bits_lost += [(case_id, q, a, b) for q, a, b in drops]
            old_r, new_r = worst_ratio(before), worst_ratio(case)
            if new_r >= DRIFT_FLOOR and new_r >= DRIFT_FACTOR * max(old_r, DRIFT_FLOOR / 10):
                out.drift.append((case_id, old_r, new_r))
    out.removed = [case_id for case_id in old_cases if case_id not in new_cases]
    return out
