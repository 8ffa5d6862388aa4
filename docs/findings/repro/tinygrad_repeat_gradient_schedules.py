"""tinygrad 0.14 (CPU): which ways of realising the gradients show the stale dX of
docs/findings/tinygrad.md #1 (the geometry of repro/tinygrad_repeat_gradient.py, whose exact
dX is 0).

Each pattern runs in a fresh process, six identical calls: which gradients `Tensor.gradient`
is asked for, and how they are realised ("x, b": dX's `.numpy()`, then db's, each its own
schedule; "(x, b)": `Tensor.realize(dx, db)`, one schedule).  Prints max |dX| per call for each
pattern, and whether the process compiled a reduce loop with an empty body (tinygrad's DEBUG=4
prints every kernel's source); exits 1 while any pattern returns a non-zero dX or compiles the
empty loop.  Framework only: tinygrad, numpy.
Run: python tinygrad_repeat_gradient_schedules.py
"""

import os
import re
import subprocess
import sys

import numpy as np

EMPTY = re.compile(r"for \(int Ridx\w* = 0; Ridx\w* < \d+; Ridx\w*\+\+\) \{\s*\}")
PATTERNS = ("x", "x, w", "x, b", "b, x", "x, w, b", "(x, w, b)", "(x, w), b", "(x, b), w", "(x, b)")


def calls(pattern: str) -> list[float]:
    """max |dX| of six identical calls realised as `pattern`, in this process."""
    from tinygrad import Tensor

    rng = np.random.default_rng(0)
    x, w = rng.uniform(-1, 1, (3, 2, 1, 1)), rng.uniform(-1, 1, (2, 3, 2, 1))
    b, dy = rng.uniform(-1, 1, (6,)), rng.uniform(-1, 1, (3, 6, 2, 2))
    conv = dict(groups=2, stride=(1, 2), dilation=(3, 1), padding=(1, 0), output_padding=(0, 1))
    asked = [n for n in "xwb" if n in pattern]
    worst = []
    for _ in range(6):
        t = {"x": Tensor(x), "w": Tensor(w), "b": Tensor(b)}
        y = t["x"].conv_transpose2d(t["w"], t["b"], **conv).relu()
        grads = dict(zip(asked, y.gradient(*(t[n] for n in asked), gradient=Tensor(dy))))
        for group in pattern.replace(" ", "").replace("),", ");").split(";"):
            names = group.strip("()").split(",")
            if group.startswith("("):
                Tensor.realize(*(grads[n] for n in names))
            for n in names:
                grads[n] = grads[n].numpy()
        worst.append(round(float(np.abs(grads["x"]).max()), 3))
    return worst


if __name__ == "__main__":
    if len(sys.argv) > 1:
        print("RESULT", calls(sys.argv[1]))
        raise SystemExit(0)
    wrong = 0
    for pattern in PATTERNS:
        out = subprocess.run(
            [sys.executable, __file__, pattern],
            capture_output=True,
            text=True,
            env={**os.environ, "DEBUG": "4"},
        )
        lines = [line[7:] for line in out.stdout.splitlines() if line.startswith("RESULT ")]
        result = lines[-1] if lines else out.stderr[-200:]
        empty = bool(EMPTY.search(out.stdout))
        wrong += empty or any(c not in "0.[], " for c in result)
        print(f"{pattern:<10} {result:<46} {'empty loop' if empty else ''}")
    raise SystemExit(1 if wrong else 0)
