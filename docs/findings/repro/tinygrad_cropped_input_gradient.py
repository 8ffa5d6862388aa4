"""tinygrad 0.14 (CPU, clang): the input gradient of a convolution whose input reaches no output
(every tap cropped by the padding, so dX is exactly 0) is mis-compiled
(docs/findings/tinygrad.md #1).

1. `conv2d`, 3-D (found by gradgate on conv3d-n3-c1x1-g1-i2x1x1-k3x1x1-s1x2x2-p2.1.2.0.1.1-d2x3x1-
   b1-relu): along the last axis a 1-wide input padded (1, 1) with stride 2 puts both outputs on
   padding.  dX's kernel is a reduce loop with an empty body whose accumulator is never set, so
   dX is whatever the stack held (NaN, stale values or, by luck, 0).  The script compiles it
   with DEBUG=4 in a subprocess, prints the kernel and looks for the empty loop.
2. `conv_transpose2d`, 1-D: a 1-long input, kernel 2, dilation 3, padding (1, 1): its taps land
   on outputs -1 and 2 of a length-2 output, both cropped.  Realising dX raises
   `ValueError: bad reshape: () -> (2, 2)` while tinygrad compiles the kernel.

Framework only: tinygrad, numpy.  Exits 1 while either shows, 2 if the kernel's source cannot
be read (then it cannot tell).
Run: python tinygrad_cropped_input_gradient.py
"""

import os
import re
import subprocess
import sys

import numpy as np
from tinygrad import Tensor

EMPTY = re.compile(r"for \(int Ridx\w* = 0; Ridx\w* < \d+; Ridx\w*\+\+\) \{\s*\}")


def conv3d_dx() -> np.ndarray:
    rng = np.random.default_rng(0)
    x = Tensor(rng.uniform(-1, 1, (3, 1, 2, 1, 1)))  # N, C, D, H, W
    w = Tensor(rng.uniform(-1, 1, (1, 1, 3, 1, 1)))
    b = Tensor(rng.uniform(-1, 1, (1,)))
    # tinygrad's padding order: (before, after) from the last axis to the first
    conv = dict(stride=(1, 2, 2), dilation=(2, 3, 1), padding=(1, 1, 2, 0, 2, 1))
    y = x.conv2d(w, b, **conv).relu()
    dy = Tensor(rng.uniform(-1, 1, y.shape))
    (dx,) = y.gradient(x, gradient=dy)
    return dx.numpy()


if __name__ == "__main__":
    if sys.argv[1:] == ["child"]:
        print("max |dX| (exact 0):", np.abs(conv3d_dx()).max())
        raise SystemExit(0)
    bugs = 0
    out = subprocess.run(
        [sys.executable, __file__, "child"],
        capture_output=True,
        text=True,
        env={**os.environ, "DEBUG": "4"},
    )
    kernels = re.findall(r"\n(void [Er](?:_\w+)?\([^)]*\) \{.*?\n\})", out.stdout, re.S)
    if out.returncode != 0 or not kernels:  # no kernel source seen: cannot tell either way
        print(f"the DEBUG=4 child failed or printed no kernel:\n{out.stderr[-1500:]}")
        raise SystemExit(2)
    empty = [k for k in kernels if EMPTY.search(k)]
    result = [line for line in out.stdout.splitlines() if line.startswith("max |dX|")]
    print("1. conv2d, 3-D, dX realised alone (the only gradient asked for):", *result[-1:])
    for kernel in empty:
        print(kernel)
    print("   BUG: an empty reduce loop, its accumulator never set" if empty else "   ok")
    bugs += bool(empty)

    rng = np.random.default_rng(0)
    x = Tensor(rng.uniform(-1, 1, (1, 1, 1)))  # N, C, L
    w = Tensor(rng.uniform(-1, 1, (1, 1, 2)))  # in, out, k
    y = x.conv_transpose2d(w, dilation=3, padding=(1, 1))
    (dx,) = y.gradient(x, gradient=Tensor.ones(*y.shape))
    try:
        print("2. conv_transpose2d, 1-D: dX", dx.numpy().ravel(), "(exact 0)\n   ok")
    except ValueError as error:
        print(f"2. conv_transpose2d, 1-D: realising dX raises ValueError: {error}\n   BUG")
        bugs += 1
    raise SystemExit(1 if bugs else 0)
