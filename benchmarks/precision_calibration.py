"""Calibration of the precision check on correct implementations: every case of a grid, at
several seeds, through the torch oracle (which computes `precision:*`).

    python3 benchmarks/precision_calibration.py --impl reference_impl --grid full --seeds 0,1,2
    python3 benchmarks/precision_calibration.py --impl harness.frameworks.jax --out jax.jsonl
    python3 benchmarks/precision_calibration.py --impl reference_impl --match=-relu-

Prints, per quantity: cases, `precision:*` failures, and the statistic's ratio (failing
statistic / threshold: median, 99th percentile, worst, with the worst case's id), and the bits
observed against those expected, by reduction length.  `--out` keeps one JSON line per case.
Run each implementation in its own process (a framework's crash then costs one line of the
table, not the run); torch runs with oneDNN off, as the gate's own suite does.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from gradgate.cases.kinds import layer_kind  # noqa: E402
from gradgate.harness.engine import run_case  # noqa: E402
from gradgate.harness.loading import load_implementation  # noqa: E402

LENGTHS = (16, 64, 256, 1024, 4096, 16384)


def _band(terms: int) -> str:
    lo = 1
    for edge in LENGTHS:
        if terms <= edge:
            return f"{lo}-{edge}"
        lo = edge + 1
    return f">{LENGTHS[-1]}"


def ratio_table(rows: list[dict[str, Any]]) -> None:
    """Per quantity: checks, failures, failures where every torch:* check passed (precision
    alone: what must be 0 on correct code), and the ratio's median, 99th percentile and worst
    where torch:* passed."""
    print(
        "| quantity | checks | failed | failed where torch:* passed | median ratio | p99 ratio "
        "| worst ratio where torch:* passed | worst case |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for q in ("Y", "dX", "dW", "db"):
        got = [
            (r["precision"][q]["ratio"], r["id"], r["seed"], r.get("torch_passed", True))
            for r in rows
            if q in r["precision"]
        ]
        if not got:
            continue
        ratios = np.array([g[0] for g in got])
        clean = [g for g in got if g[3]]
        alone = sum(1 for g in clean if g[0] > 1)
        worst = max(clean) if clean else (0.0, "-", "-", True)
        print(
            f"| {q} | {len(got)} | {int((ratios > 1).sum())} | {alone} | {np.median(ratios):.3g} "
            f"| {np.percentile(ratios, 99):.3g} | {worst[0]:.3g} | {worst[1]} seed {worst[2]} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--impl", default=None)
    parser.add_argument("--layer", default="deconv2d")
    parser.add_argument("--grid", default="full")
    parser.add_argument("--dtype", default="float32")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--out", default=None)
    parser.add_argument("--match", default="", help="only the case ids holding this text")
    parser.add_argument("--table", default=None, help="only print the tables of an --out file")
    args = parser.parse_args()
    if args.table:
        rows = [json.loads(line) for line in Path(args.table).read_text().splitlines()]
        ratio_table(rows)
        return
    import torch

    torch.backends.mkldnn.enabled = False
    torch.set_num_threads(1)
    impl = load_implementation(args.impl, args.layer)
    cases = layer_kind(args.layer).grid_cases(args.grid, args.dtype.split(","))
    cases = [c for c in cases if args.match in c.id]
    seeds = [int(s) for s in args.seeds.split(",")]
    rows = []
    out = open(args.out, "w") if args.out else None  # noqa: SIM115 (lines as they come)
    start = time.perf_counter()
    for seed in seeds:
        for case in cases:
            result = run_case(impl, case, oracles=("torch",), seed=seed, timeout=600)
            torch_ok = all(c.passed for n, c in result.checks.items() if n.startswith("torch:"))
            row = {
                "id": case.id,
                "seed": seed,
                "status": result.status,
                "torch_passed": torch_ok,
                "precision": {},
            }
            for name, check in result.checks.items():
                if name.startswith("precision:"):
                    row["precision"][name.split(":")[1]] = check.extra["precision"]
            rows.append(row)
            if out:
                out.write(json.dumps(row) + "\n")
                out.flush()
    elapsed = time.perf_counter() - start
    print(
        f"{impl.name} on {args.layer} {args.grid} {args.dtype}, seeds {args.seeds}: "
        f"{len(rows)} case runs in {elapsed:.0f} s"
    )
    errored = [r["id"] for r in rows if r["status"] in ("errored", "unsupported")]
    print(f"errored or unsupported: {len(errored)}")
    ratio_table(rows)
    print()
    print("| quantity | terms | checks | bits median | bits worst | expected (model) median |")
    print("| --- | --- | --- | --- | --- | --- |")
    for q in ("Y", "dX", "dW", "db"):
        bands: dict[str, list[dict[str, float]]] = {}
        for r in rows:
            if q in r["precision"]:
                bands.setdefault(_band(r["precision"][q]["terms"]), []).append(r["precision"][q])
        for band in sorted(bands, key=lambda b: int(b.lstrip(">").split("-")[0])):
            vs = bands[band]
            bits = np.array([v["bits"] for v in vs])
            exp = np.array([v["expected_bits"] for v in vs])
            print(
                f"| {q} | {band} | {len(vs)} | {np.median(bits):.1f} | {bits.min():.1f} | "
                f"{np.median(exp):.1f} |"
            )


if __name__ == "__main__":
    main()
