"""What the diagnosis costs: the rule search on the full grid, the minimal case search in
process and in a child process (the default for `gradgate run`), side by side.

Usage: python benchmarks/bench_diagnosis.py [--repeats N]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

from gradgate.cases.deconv2d.grid import grid_cases
from gradgate.harness.diagnosis import diagnose
from gradgate.harness.diagnosis.attribution import attribute
from gradgate.harness.engine import run_case
from gradgate.harness.loading import load_implementation

BUG = "tests.kinds.deconv2d.bugged_impls:dilation_ignored_in_backward"


def median_seconds(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def synthetic_full_grid() -> list[dict[str, Any]]:
    """The full grid in both dtypes, failing where dilation_h > 1 (no engine needed)."""
    out = []
    for case in grid_cases("full"):
        config = case.as_report_config()
        failed = case.dilation[0] > 1
        checks = {"torch:dW": {"passed": not failed}}
        status = "failed" if failed else "passed"
        out.append({"id": case.id, "status": status, "config": config, "checks": checks})
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    repeats = parser.parse_args().repeats
    full = synthetic_full_grid()
    t_rules = median_seconds(lambda: attribute(full), repeats)
    impl = load_implementation(BUG)
    cases = [run_case(impl, c).as_report() for c in grid_cases("default", ["float64"])]
    report = {"implementation": BUG, "seed": 0, "cases": cases}
    t_in = median_seconds(lambda: diagnose(report, impl=impl), repeats)
    t_child = median_seconds(lambda: diagnose(report), repeats)
    print(f"rule search, full grid ({len(full)} cases):     {t_rules:7.3f} s")
    print(f"diagnosis, default grid float64 ({len(cases)} cases), {BUG.split(':')[1]}:")
    print(f"  minimal case search in process:            {t_in:7.3f} s")
    print(f"  in a child process (gradgate run default): {t_child:7.3f} s")
    print(f"  child / in process:                        {t_child / t_in:7.2f}x")


if __name__ == "__main__":
    main()
