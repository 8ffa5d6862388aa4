"""tinygrad 0.14 (CPU, clang): where the input gradient of an input that reaches no output is
mis-compiled (docs/findings/tinygrad.md #1), by sweep: an empty reduction that never
initialises its accumulator, or a ValueError while compiling.

Framework only: tinygrad, numpy.  Each configuration runs in a fresh process with tinygrad's
DEBUG=4, which prints the C source of every kernel it compiles; the script looks for a reduce
loop with an empty body whose accumulator (`buf0`) is read without ever being written, and
records max |dX| over three calls (fresh data each; exact answer 0 where no output depends
on X).  dW is never realised on its own, so an empty loop found is dX's.  "ok" means neither
outcome; the values of the reached controls are not compared with a reference here.

Swept: 1-D, 2-D and 3-D; ordinary (`conv2d`) and transposed (`conv_transpose2d`); the last
spatial axis cropped so that no output depends on X ("cropped"), or the same geometry with
the padding that crops it removed ("reached", the control); activation none, relu,
leaky_relu, tanh; dX realised alone, dX then db in separate schedules, or dX, dW and
db in one schedule; groups 1 and 2 (2 input and 4 output channels, batch 3).  The other axes
have size 2, kernel 1, stride 1, no padding.  A configuration whose dX raises says so.
Run: python tinygrad_empty_reduction_sweep.py   (about 12 minutes: a process per
configuration, tinygrad compiling every kernel; exits 1 while any configuration emits an
empty reduction or raises)
"""

import itertools
import os
import re
import subprocess
import sys

import numpy as np

ACTIVATIONS = ("none", "relu", "leaky_relu", "tanh")
REALISATIONS = ("x", "x;b", "(x,w,b)")
# The cropped axis: (input, kernel, stride, dilation, padding before, after, output padding).
# Ordinary: outputs at padded positions 0 and 2 of a 1-wide input padded (1, 1): both padding.
# Transposed: a 1-wide input's taps (kernel 2, dilation 3) at output 0 and 3, padding (1, 1)
# crops both (the geometry of docs/findings/repro/tinygrad_repeat_gradient.py).
CROPPED = {"conv": (1, 1, 2, 1, 1, 1, 0), "transposed": (1, 2, 1, 3, 1, 1, 0)}
REACHED = {"conv": (1, 1, 2, 1, 0, 1, 0), "transposed": (1, 2, 1, 3, 0, 1, 0)}
EMPTY = re.compile(r"for \(int Ridx\w* = 0; Ridx\w* < \d+; Ridx\w*\+\+\) \{\s*\}")


def child(family: str, dims: int, crop: str, act: str, realise: str, groups: int) -> None:
    from tinygrad import Tensor

    axes = [(2, 1, 1, 1, 0, 0, 0)] * dims
    geometry = CROPPED[family] if crop != "reached" else REACHED[family]
    axes[-1] = geometry
    size, kernel, stride, dilation = (tuple(a[i] for a in axes) for i in range(4))
    padding = tuple(p for a in reversed(axes) for p in a[4:6])  # tinygrad: last axis first
    rng = np.random.default_rng(0)
    x, b = rng.uniform(-1, 1, (3, 2, *size)), rng.uniform(-1, 1, (4,))
    w = rng.uniform(
        -1, 1, (2, 4 // groups, *kernel) if family == "transposed" else (4, 2 // groups, *kernel)
    )
    worst = []
    for _ in range(3):
        xt, wt, bt = Tensor(x), Tensor(w), Tensor(b)
        if family == "transposed":
            out = tuple(a[6] for a in axes)
            y = xt.conv_transpose2d(
                wt,
                bt,
                groups=groups,
                stride=stride,
                dilation=dilation,
                padding=padding,
                output_padding=out,
            )
        else:
            y = xt.conv2d(wt, bt, groups=groups, stride=stride, dilation=dilation, padding=padding)
        y = y if act == "none" else getattr(y, act)()
        dy = Tensor(rng.uniform(-1, 1, y.shape))
        dx, dw, db = y.gradient(xt, wt, bt, gradient=dy)
        if realise == "(x,w,b)":
            Tensor.realize(dx, dw, db)
        try:
            v = dx.numpy()
        except Exception as error:  # noqa: BLE001 - a raise is one of the outcomes swept
            print("RESULT raises", type(error).__name__, str(error)[:60])
            return
        if realise == "x;b":
            db.numpy()
        worst.append(float(np.abs(v).max()) if np.isfinite(v).all() else float("nan"))
    print("RESULT", worst)


def run(*config: str) -> tuple[bool, str]:
    env = {**os.environ, "DEBUG": "4"}
    out = subprocess.run(
        [sys.executable, __file__, *config], capture_output=True, text=True, env=env, timeout=600
    )
    result = [line for line in out.stdout.splitlines() if line.startswith("RESULT")]
    return bool(EMPTY.search(out.stdout)), result[-1][7:] if result else out.stderr[-300:]


if __name__ == "__main__":
    if len(sys.argv) > 1:
        family, dims, crop, act, realise, groups = sys.argv[1:]
        child(family, int(dims), crop, act, realise, int(groups))
        raise SystemExit(0)
    tally: dict[tuple[str, str, str], int] = {}
    for family, dims, crop, groups in itertools.product(
        ("conv", "transposed"), (1, 2, 3), ("cropped", "reached"), (1, 2)
    ):
        for act, realise in itertools.product(ACTIVATIONS, REALISATIONS):
            empty, result = run(family, str(dims), crop, act, realise, str(groups))
            outcome = "empty reduction" if empty else "raises" if "raises" in result else "ok"
            key = (
                f"{family} {dims}-D {crop}",
                "dX alone" if realise != "(x,w,b)" else "(x,w,b)",
                outcome,
            )
            tally[key] = tally.get(key, 0) + 1
            print(
                f"{family:<10} {dims}-D g{groups} {crop:<8} {act:<10} {realise:<8} "
                f"empty={str(empty):<5} |dX| {result}",
                flush=True,
            )
    print(
        "\nconfigurations by outcome (dX alone: realised without dW and db; both realisations"
        " of it pooled):"
    )
    for (where, realise, outcome), count in sorted(tally.items()):
        print(f"  {where:<24} {realise:<9} {outcome:<16} {count}")
    wrong = sum(n for (_, _, outcome), n in tally.items() if outcome != "ok")
    print(f"{wrong} of {sum(tally.values())} configurations emit an empty reduction or raise")
    raise SystemExit(1 if wrong else 0)
