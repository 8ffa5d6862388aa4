"""The fd oracle's forward calls and time against the channel count, and on the realistic tier.

Part 1: one geometry (n2 5x6 k3 s2 p1 d1x2, tanh, float64) at 8, 64 and 512 input channels:
forward calls and median time of the fd oracle on the reference, with projections over
channels and (calls only, from `forward_calls`) one colour per channel as before.
Part 2: every realistic case (float64): fd forward calls against gradcheck's slow mode, which
perturbs every input element (2 forward calls per element of X, W and b).
Usage: python benchmarks/bench_fd_channels.py [--repeats 3]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import gradgate.reference_impl as ref  # noqa: E402
from gradgate.cases.case import Case, parse_case_id  # noqa: E402
from gradgate.cases.deconv2d.realistic import REALISTIC_DEFAULT, REALISTIC_FULL  # noqa: E402
from gradgate.harness.bounds import UNIT_ROUNDOFF, all_bounds, magnitudes  # noqa: E402
from gradgate.harness.data import case_data  # noqa: E402
from gradgate.harness.oracles.finite_differences import fd_gradients, forward_calls  # noqa: E402


def fd_run(case: Case) -> tuple[int, float, bool]:
    """(forward calls, seconds, passed) of the fd oracle on the reference for one case."""
    data = case_data(case, 0)
    calls = [0]

    def forward(X, W, b):  # type: ignore[no-untyped-def]
        calls[0] += 1
        return ref.forward(X, W, b, case.cfg)

    grads = ref.backward(data.dY, data.X, data.W, data.b, case.cfg)
    claimed = {k: g for k, g in zip(("dX", "dW", "db"), grads) if g is not None}
    u = UNIT_ROUNDOFF[case.dtype]
    start = time.perf_counter()
    mag = magnitudes(case, data)
    bounds = all_bounds(case, data, mag, u)
    est = fd_gradients(forward, case, data, mag, u, claimed=claimed, bounds=bounds)
    seconds = time.perf_counter() - start
    passed = all(
        (abs(claimed[q] - e.estimate) <= bounds[q] + e.bound)[~e.excluded].all()
        and not e.projection_failure
        for q, e in est.items()
    )
    return calls[0], seconds, passed


def slow_gradcheck_calls(case: Case) -> int:
    return 2 * (
        case.batch * case.in_h * case.in_w * case.in_ch
        + case.kh * case.kw * case.in_ch * (case.out_ch // case.groups)
        + (case.out_ch if case.bias else 0)
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print("Part 1: n2 5x6 k3 s2 p1 d1x2 tanh float64, out_ch = in_ch / 4")
    print(f"{'in_ch':>6s} {'fd calls':>9s} {'per channel':>12s} {'median time':>12s} passed")
    for channels in (8, 64, 512):
        case = parse_case_id(
            f"n2-c{channels}x{channels // 4}-g1-i5x6-k3x3-s2x2-p1.1.1.1-d1x2-op1x0-b1-tanh-f64"
        )
        runs = [fd_run(case) for _ in range(args.repeats)]
        calls, _, passed = runs[0]
        median = statistics.median(r[1] for r in runs)
        old = forward_calls(case, projections=False)
        print(f"{channels:6d} {calls:9d} {old:12d} {median * 1e3:10.1f}ms {passed}")
    print("\nPart 2: realistic tier, float64")
    print(f"{'case':70s} {'fd calls':>9s} {'slow gradcheck':>15s} {'ratio':>8s} {'time':>8s}")
    fd_total = slow_total = 0
    for name, case in REALISTIC_DEFAULT + REALISTIC_FULL:
        calls, seconds, passed = fd_run(case)
        slow = slow_gradcheck_calls(case)
        fd_total, slow_total = fd_total + calls, slow_total + slow
        assert passed, case.id
        print(f"{name[:70]:70s} {calls:9d} {slow:15d} {slow / calls:7.0f}x {seconds:7.2f}s")
    print(f"{'total':70s} {fd_total:9d} {slow_total:15d} {slow_total / fd_total:7.0f}x")


if __name__ == "__main__":
    main()
