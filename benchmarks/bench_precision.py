"""Bits kept and detection margins, by reduction length: the precision check on correct
float32 layers (four summation orders) and on layers that lose precision.

    python3 benchmarks/bench_precision.py [--seeds 0,1,2]

The layer is the issue's: Deconv2D, stride 2, 4x4 kernel, batch 4, a 4x4 input, 4 output
channels, and 16, 64, 256 or 1024 input channels (Y sums 4 x in_ch terms per element, dX 16 x 4,
dW 4 x 16 = 64; a last row has dW sum 16,384 terms).  For each layer and size: the bits kept
per quantity (median and worst over the seeds) and the statistic's ratio to its threshold
(failing above 1: for a correct layer, how far from a false alarm; for a lossy one, the
detection margin).  Layers from tests/oracles/precision_bank.py.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from gradgate.cases.case import parse_case_id  # noqa: E402
from gradgate.harness.engine import run_case  # noqa: E402
from gradgate.harness.implementation import Implementation  # noqa: E402
from tests.oracles import precision_bank as bank  # noqa: E402

SIZES = (16, 64, 256, 1024)
LAYERS = [
    *[(name, "correct") for name in ("sequential", "pairwise", "blocked", "rounded_once")],
    *[
        (name, "lossy")
        for name in ("tf32_products", "bf16_products", "fp16_dw_partials", "tf32_forward_only")
    ],
]


def _case(in_ch: int) -> str:
    return f"n4-c{in_ch}x4-g1-i4x4-k4x4-s2x2-p1.1.1.1-d1x1-op0x0-b1-identity-f32"


BIG_DW = "n4-c2x2-g1-i64x64-k4x4-s2x2-p1.1.1.1-d1x1-op0x0-b1-identity-f32"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0,1,2")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    print(
        "| layer | kind | input channels | Y terms | Y bits (median / worst) | dX bits | dW bits "
        "| ratio Y | ratio dX | ratio dW |"
    )
    print("| --- | --- | ---: | ---: | --- | --- | --- | ---: | ---: | ---: |")
    cases = [(str(c), _case(c)) for c in SIZES] + [("2 (dW 16,384 terms)", BIG_DW)]
    for name, kind in LAYERS:
        layer = (
            bank.correct_layer("deconv2d", name)
            if kind == "correct"
            else bank.lossy_layer("deconv2d", name)
        )
        impl = Implementation(name, layer.forward, layer.backward)
        for label, case_id in cases:
            per_q: dict[str, list[tuple[float, float, int]]] = {}
            for seed in seeds:
                result = run_case(impl, parse_case_id(case_id), oracles=("torch",), seed=seed)
                for q in ("Y", "dX", "dW"):
                    p = result.checks[f"precision:{q}"].extra["precision"]
                    per_q.setdefault(q, []).append((p["bits"], p["ratio"], p["terms"]))
            cells = []
            for q in ("Y", "dX", "dW"):
                bits = [b for b, _, _ in per_q[q]]
                cells.append(f"{np.median(bits):.1f} / {min(bits):.1f}")
            # correct layers: the worst (largest) ratio; lossy: the smallest (the margin)
            pick = max if kind == "correct" else min
            ratios = [f"{pick(r for _, r, _ in per_q[q]):.3g}" for q in ("Y", "dX", "dW")]
            print(
                f"| {name} | {kind} | {label} | {per_q['Y'][0][2]} | {' | '.join(cells)} | "
                f"{' | '.join(ratios)} |"
            )


if __name__ == "__main__":
    main()
