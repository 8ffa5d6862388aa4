"""Wall time of `gradgate run` on the reference: -n 1 against -n 2, and growth with grid size.

Each configuration is run as the real command in a subprocess (start-up of the controller and
of the workers included), interleaved, and the median is reported.  A line fitted through the
-n 2 medians splits the time into a fixed start-up cost and a cost per case.
Usage: python benchmarks/bench_gate.py [--repeats N] [--skip-full]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gradgate.cases.deconv2d.grid import grid_cases

ROOT = Path(__file__).resolve().parents[1]


def run(grid: str, workers: str) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "gradgate",
                "run",
                "--grid",
                grid,
                "-n",
                workers,
                "--report-dir",
                tmp,
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        elapsed = time.perf_counter() - start
    if out.returncode != 0:
        raise SystemExit(f"gradgate run --grid {grid} -n {workers} failed:\n{out.stdout[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-full", action="store_true")
    args = parser.parse_args()
    grids = ["smoke", "default"] + ([] if args.skip_full else ["full"])
    times: dict[tuple[str, str], list[float]] = {(g, n): [] for g in grids for n in ("1", "2")}
    for _ in range(args.repeats):
        for grid in grids:
            for workers in ("1", "2"):
                times[(grid, workers)].append(run(grid, workers))
    print(f"gradgate run on the reference, median of {args.repeats} runs each (seconds)")
    print(f"{'grid':8s} {'cases':>6s} {'-n 1':>8s} {'-n 2':>8s} {'speed-up':>9s}")
    points = []
    for grid in grids:
        n_cases = len(grid_cases(grid))
        one, two = (statistics.median(times[(grid, w)]) for w in ("1", "2"))
        points.append((n_cases, two))
        print(f"{grid:8s} {n_cases:6d} {one:8.1f} {two:8.1f} {one / two:8.2f}x")
    xs, ys = zip(*points)
    slope = statistics.linear_regression(xs, ys).slope if len(xs) > 1 else 0.0
    intercept = statistics.linear_regression(xs, ys).intercept if len(xs) > 1 else ys[0]
    print(f"-n 2 fit: {intercept:.1f} s start-up + {slope * 1e3:.2f} ms per case")


if __name__ == "__main__":
    main()
