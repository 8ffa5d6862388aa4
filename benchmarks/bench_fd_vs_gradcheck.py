"""The fd oracle against torch.autograd.gradcheck (slow and fast modes) on the same cases.

For every float64 case of a grid but its realistic tier (see bench_fd_channels.py): forward
calls and wall time of each method on the reference (correct) implementation, and whether each
method flags a single-element 1.1x error in dX (planted at the entry with the largest |dX|),
and where.  gradcheck runs on a
torch.autograd.Function that calls the implementation's numpy forward and backward.
Usage: python benchmarks/bench_fd_vs_gradcheck.py [--grid default]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

import gradgate.reference_impl as ref  # noqa: E402
from gradgate.cases.case import Case  # noqa: E402
from gradgate.cases.deconv2d.grid import grid_cases  # noqa: E402
from gradgate.cases.deconv2d.realistic import REALISTIC_DEFAULT, REALISTIC_FULL  # noqa: E402
from gradgate.harness.engine import run_case  # noqa: E402
from gradgate.harness.loading import Implementation  # noqa: E402

torch.set_num_threads(1)


class Counted:
    """An implementation that counts its forward calls and can plant a 1.1x error in dX."""

    def __init__(self, bug_at: tuple[int, ...] | None = None) -> None:
        self.forward_calls = 0
        self.bug_at = bug_at

    def forward(self, X: np.ndarray, W: np.ndarray, b: Any, cfg: Any) -> np.ndarray:
        self.forward_calls += 1
        return ref.forward(X, W, b, cfg)

    def backward(self, dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: Any, cfg: Any) -> Any:
        dX, dW, db = ref.backward(dY, X, W, b, cfg)
        if self.bug_at is not None:
            dX = dX.copy()
            dX[self.bug_at] *= 1.1
        return dX, dW, db


class AsFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, impl: Counted, cfg: Any, X: Any, W: Any, *b: Any) -> Any:  # type: ignore[override]
        ctx.impl, ctx.cfg = impl, cfg
        ctx.save_for_backward(X, W, *b)
        bias = b[0].detach().numpy() if b else None
        return torch.from_numpy(impl.forward(X.detach().numpy(), W.detach().numpy(), bias, cfg))

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:  # type: ignore[override]
        X, W, *b = ctx.saved_tensors
        bias = b[0].numpy() if b else None
        dX, dW, db = ctx.impl.backward(grad.numpy(), X.numpy(), W.numpy(), bias, ctx.cfg)
        out = [None, None, torch.from_numpy(dX), torch.from_numpy(dW)]
        return tuple(out + ([torch.from_numpy(db)] if b else []))


def gradcheck(impl: Counted, case: Case, fast: bool) -> tuple[bool, float]:
    rng = np.random.default_rng(0)
    tensors = [
        torch.tensor(rng.uniform(-1, 1, case.x_shape), requires_grad=True),
        torch.tensor(rng.uniform(-1, 1, case.w_shape), requires_grad=True),
    ]
    if case.bias:
        tensors.append(torch.tensor(rng.uniform(-1, 1, case.out_ch), requires_grad=True))
    start = time.perf_counter()
    ok = torch.autograd.gradcheck(
        lambda *t: AsFunction.apply(impl, case.cfg, *t),
        tensors,
        fast_mode=fast,
        raise_exception=False,
    )
    return bool(ok), time.perf_counter() - start


def biggest_dX(case: Case) -> tuple[int, ...]:
    from gradgate.harness.data import case_data

    d = case_data(case, 0)
    dX = ref.backward(d.dY, d.X, d.W, d.b, case.cfg)[0]
    return tuple(int(i) for i in np.unravel_index(np.argmax(np.abs(dX)), dX.shape))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--grid", default="default")
    args = parser.parse_args()
    realistic = {c.id for _, c in REALISTIC_DEFAULT + REALISTIC_FULL}
    # The realistic tier would take gradcheck hours: bench_fd_channels.py counts its calls.
    cases = [c for c in grid_cases(args.grid, ("float64",)) if c.id not in realistic]
    rows = {m: {"calls": 0, "time": [], "found": 0, "located": 0} for m in ("fd", "slow", "fast")}
    for case in cases:
        # Correct implementation: cost.
        impl = Counted()
        start = time.perf_counter()
        run_case(Implementation("counted", impl.forward, impl.backward), case, oracles=("fd",))
        rows["fd"]["time"].append(time.perf_counter() - start)
        rows["fd"]["calls"] += impl.forward_calls - 2  # minus the contract and layout calls
        for mode, fast in (("slow", False), ("fast", True)):
            impl = Counted()
            _, seconds = gradcheck(impl, case, fast)
            rows[mode]["calls"] += impl.forward_calls
            rows[mode]["time"].append(seconds)
        # A single-element 1.1x error: found, and where.
        at = biggest_dX(case)
        bugged = Counted(bug_at=at)
        result = run_case(
            Implementation("bug", bugged.forward, bugged.backward), case, oracles=("fd",)
        )
        check = result.checks.get("fd:dX")
        if check is not None and not check.passed:
            rows["fd"]["found"] += 1
            rows["fd"]["located"] += int(tuple(check.worst_index) == at and check.n_off == 1)
        for mode, fast in (("slow", False), ("fast", True)):
            ok, _ = gradcheck(Counted(bug_at=at), case, fast)
            rows[mode]["found"] += int(not ok)
    n = len(cases)
    print(f"{n} float64 cases of the {args.grid} grid; a 1.1x error planted at the largest |dX|")
    print(
        f"{'method':24s} {'forward calls':>14s} {'median time/case':>17s} {'total time':>11s} "
        f"{'bug found':>10s} {'located':>8s}"
    )
    names = {
        "fd": "gradgate fd oracle",
        "slow": "gradcheck (slow mode)",
        "fast": "gradcheck (fast mode)",
    }
    for mode, row in rows.items():
        located = f"{row['located']}/{n}" if mode == "fd" else "-"
        print(
            f"{names[mode]:24s} {row['calls']:14d} {statistics.median(row['time']) * 1e3:15.1f}ms "
            f"{sum(row['time']):10.2f}s {row['found']:5d}/{n:<4d} {located:>8s}"
        )
    print(
        "forward calls, slow gradcheck / fd oracle: "
        f"{rows['slow']['calls'] / rows['fd']['calls']:.1f}x"
    )


if __name__ == "__main__":
    main()
