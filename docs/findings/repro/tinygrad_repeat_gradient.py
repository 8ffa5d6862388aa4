"""tinygrad 0.14 (CPU, clang): an input gradient that should be all zeros comes back with
garbage on repeated calls (docs/findings/tinygrad.md #1, its 2-D case).

Geometry (found by gradgate on case n3-c2x6-g2-i1x1-k2x1-s1x2-p1.1.0.0-d3x1-op0x1-b1-relu,
both dtypes): a 1x1 input, kernel height 2 with dilation 3 puts the two taps on output rows
0 and 3, and padding 1 crops both: no output depends on X, so dX is exactly 0 (torch agrees).
Realised on its own, dX compiles to a reduce loop with an empty body and an accumulator that
is never set, so it reads stack memory: 0 on the first call in a fresh process, then what
earlier kernels left there.  The six calls show the values; the exit status comes from the
kernel's source (tinygrad's DEBUG=4, in a subprocess asking for dX alone, so that an empty
loop can only be dX's), which does not depend on the stack; 2 if that source cannot be read.
Framework only: tinygrad, numpy.
Run: python tinygrad_repeat_gradient.py  (exits 1 while dX's kernel is an empty reduction)
"""

import os
import re
import subprocess
import sys

import numpy as np
from tinygrad import Tensor

EMPTY = re.compile(r"for \(int Ridx\w* = 0; Ridx\w* < \d+; Ridx\w*\+\+\) \{\s*\}")


def calls(n: int, only_dx: bool = False) -> list[float]:
    """max |dX| of n identical calls, each gradient read one by one (dX first), or dX alone."""
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (3, 2, 1, 1))  # NCHW: batch 3, 2 channels, a 1x1 image
    w = rng.uniform(-1, 1, (2, 3, 2, 1))  # (in, out / groups, kh, kw), groups 2 -> 6 outputs
    b = rng.uniform(-1, 1, (6,))
    conv = dict(groups=2, stride=(1, 2), dilation=(3, 1), padding=(1, 0), output_padding=(0, 1))
    dy = rng.uniform(-1, 1, (3, 6, 2, 2))
    worst = []
    for _ in range(n):
        xt, wt, bt = Tensor(x), Tensor(w), Tensor(b)
        y = xt.conv_transpose2d(wt, bt, **conv).relu()
        asked = (xt,) if only_dx else (xt, wt, bt)
        dx, *_ = (g.numpy() for g in y.gradient(*asked, gradient=Tensor(dy)))
        worst.append(round(float(np.abs(dx).max()), 3))
    return worst


if __name__ == "__main__":
    if sys.argv[1:] == ["child"]:
        calls(1, only_dx=True)  # dX the only gradient: an empty loop can only be dX's
        raise SystemExit(0)
    print("max |dX| per call (exact answer 0):", calls(6))
    out = subprocess.run(
        [sys.executable, __file__, "child"],
        capture_output=True,
        text=True,
        env={**os.environ, "DEBUG": "4"},
    )
    # no kernel source seen: the script cannot tell either way
    if out.returncode != 0 or not re.search(r"\nvoid [Er](_\w+)?\(", out.stdout):
        print(f"the DEBUG=4 child failed or printed no kernel:\n{out.stderr[-1500:]}")
        raise SystemExit(2)
    empty = bool(EMPTY.search(out.stdout))
    print("dX's kernel:", "an empty reduce loop, its accumulator never set" if empty else "sums")
    raise SystemExit(1 if empty else 0)
