"""The gate's forward-mode and second-order checks against torch's gradgradcheck and
gradcheck(check_forward_ad=True), on the realistic tier (issue 21).

For each realistic Deconv2D case (float64): the calls the gate makes of the implementation for
each derivative beyond the first (jvp, double_backward, forward, backward: counted, the first
derivative's own calls subtracted), and its time per case; slow gradgradcheck's calls, counted
(it differentiates the backward numerically: 2 evaluations per element of dY, X, W and b), and
slow forward-mode gradcheck's (one jvp per element of X, W and b, and 2 forward calls each for
its numerical Jacobian); fast gradgradcheck's time on torch's own conv_transpose2d (its slow
mode would take hours on these layers).  Medians of --repeats runs, in one process.

Usage: python benchmarks/bench_derivatives_vs_gradgradcheck.py [--repeats 3]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import math  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import gradgate.reference_impl as ref  # noqa: E402
from gradgate.cases.case import Case  # noqa: E402
from gradgate.cases.deconv2d.realistic import REALISTIC_DEFAULT, REALISTIC_FULL  # noqa: E402
from gradgate.harness.engine import run_case  # noqa: E402
from gradgate.harness.loading import Implementation  # noqa: E402
from gradgate.harness.oracles.torch_autograd import torch_activation  # noqa: E402

torch.set_num_threads(1)
FUNCTIONS = ("forward", "backward", "jvp", "double_backward")


def counted() -> tuple[Implementation, Counter[str]]:
    calls: Counter[str] = Counter()

    def wrap(name: str) -> Any:
        fn = getattr(ref, name)

        def call(*args: Any) -> Any:
            calls[name] += 1
            return fn(*args)

        return call

    impl = Implementation(
        "counted",
        wrap("forward"),
        wrap("backward"),
        jvp=wrap("jvp"),
        double_backward=wrap("double_backward"),
    )
    return impl, calls


def gate(case: Case, derivatives: tuple[str, ...]) -> tuple[Counter[str], float]:
    impl, calls = counted()
    start = time.perf_counter()
    result = run_case(impl, case, derivatives=derivatives)
    seconds = time.perf_counter() - start
    assert result.status == "passed", result.message
    return calls, seconds


def torch_layer(case: Case) -> Any:
    cfg = case.cfg
    top, bottom, left, right = cfg.padding
    assert top == bottom and left == right, "symmetric padding only, as torch takes it"

    def layer(x: Any, w: Any, *b: Any) -> Any:
        z = F.conv_transpose2d(
            x,
            w,
            b[0] if b else None,
            stride=cfg.stride,
            padding=(top, left),
            output_padding=cfg.output_padding,
            groups=cfg.groups,
            dilation=cfg.dilation,
        )
        return torch_activation(cfg.activation, z)

    return layer


def fast_gradgradcheck(case: Case) -> float | None:
    """Seconds of torch.autograd.gradgradcheck(fast_mode=True) on torch's own layer (None for
    asymmetric padding, which torch's op does not take)."""
    if case.padding[0::2] != case.padding[1::2]:
        return None
    rng = np.random.default_rng(0)
    n, h, w, in_ch = case.x_shape
    shapes = [(n, in_ch, h, w), (in_ch, case.out_ch // case.groups, *case.kernel)]
    shapes += [(case.out_ch,)] if case.bias else []
    tensors = [torch.tensor(rng.uniform(-1, 1, s), requires_grad=True) for s in shapes]
    start = time.perf_counter()
    ok = torch.autograd.gradgradcheck(torch_layer(case), tensors, fast_mode=True)
    assert ok
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rows = []
    for name, case in REALISTIC_DEFAULT + REALISTIC_FULL:
        first_calls, _ = gate(case, ("first",))
        extra: dict[str, int] = {}
        times: dict[str, float] = {}
        for derivative in ("forward", "second"):
            samples = []
            for _ in range(args.repeats):
                calls, seconds = gate(case, ("first", derivative))
                samples.append(seconds)
            extra[derivative] = sum((calls - first_calls).values())
            base = statistics.median(gate(case, ("first",))[1] for _ in range(args.repeats))
            times[derivative] = statistics.median(samples) - base
        inputs = math.prod(case.x_shape) + math.prod(case.w_shape) + case.out_ch * case.bias
        slow_second = 2 * (inputs + math.prod(case.y_shape))
        slow_forward = 3 * inputs
        fast = fast_gradgradcheck(case)
        rows.append((name, case, extra, times, slow_second, slow_forward, fast))
        print(f"done: {case.id}", flush=True)
    print()
    print(
        "| case | second: gate calls | slow gradgradcheck calls | ratio | gate time | "
        "fast gradgradcheck time (torch's op) | forward: gate calls | slow forward-AD "
        "gradcheck calls | ratio | gate time |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, _, extra, times, slow_second, slow_forward, fast in rows:
        short = name.split(" (")[0]
        fast_text = "-" if fast is None else f"{fast:.2f} s"
        print(
            f"| {short} | {extra['second']} | {slow_second:,} | "
            f"{slow_second / extra['second']:.0f}x | {times['second']:.2f} s | {fast_text} | "
            f"{extra['forward']} | {slow_forward:,} | {slow_forward / extra['forward']:.0f}x | "
            f"{times['forward']:.2f} s |"
        )
    worst = min(r[4] / r[2]["second"] for r in rows), min(r[5] / r[2]["forward"] for r in rows)
    print(f"\nfewest calls saved: second order {worst[0]:.0f}x, forward mode {worst[1]:.0f}x")


if __name__ == "__main__":
    main()
