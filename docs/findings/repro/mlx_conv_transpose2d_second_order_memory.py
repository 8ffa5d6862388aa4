"""MLX 0.32 (CPU): the second order of conv_transpose2d allocates a dense Jacobian-sized buffer
(docs/findings/mlx.md, class 6).

For x (1, H, H, 16), w (16, 2, 2, 16), stride 2, float32, each in a child process: the peak
memory of the first derivative (mx.vjp) and of the second order (mx.vjp of a function that
calls mx.vjp), against 4 bytes * (H * H * C_in) * (H' * H' * C_out), the size of the layer's
dense Jacobian in float32 (H' = 2H the output's size).  The first derivative's memory stays
near the interpreter's; the second order's grows as the Jacobian does, 4 * 4 = 16 times per
doubling of H, and past the machine's memory the process dies with SIGSEGV (x (1, 32, 32, 96)
here).  Framework only: mlx, numpy.  Exits 1 while the second order's extra memory is at least
half the Jacobian's at H = 24, else 0.  Run: python mlx_conv_transpose2d_second_order_memory.py
"""

import subprocess
import sys

CHILD = """
import resource, sys
import mlx.core as mx
import numpy as np
mx.set_default_device(mx.cpu)
h, order = int(sys.argv[1]), sys.argv[2]
rng = np.random.default_rng(0)
x = mx.array(rng.standard_normal((1, h, h, 16)).astype(np.float32))
w = mx.array(rng.standard_normal((16, 2, 2, 16)).astype(np.float32))
f = lambda x, w: mx.conv_transpose2d(x, w, stride=2)
b = lambda g, x, w: mx.vjp(f, [x, w], [g])[1]
gy = mx.array(rng.standard_normal(f(x, w).shape).astype(np.float32))
mx.eval(x, w, gy)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if order == "first":
    mx.eval(*b(gy, x, w))
else:
    mx.eval(*mx.vjp(b, [gy, x, w], [mx.ones(x.shape), mx.ones(w.shape)])[1])
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) * 1024)
"""


def extra_bytes(h: int, order: str) -> int:
    """The child's peak memory growth (bytes) while computing the derivative."""
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(h), order], capture_output=True, text=True, timeout=300
    )
    if out.returncode != 0:
        raise SystemExit(f"the child died ({out.returncode}): {out.stderr[-300:]}")
    return int(out.stdout.split()[-1])


dense = {}
for h in (16, 24):
    jacobian = 4 * (h * h * 16) * (2 * h * 2 * h * 16)
    first, second = extra_bytes(h, "first"), extra_bytes(h, "second")
    dense[h] = second / jacobian
    print(
        f"H = {h}: first derivative +{first / 2**20:.0f} MiB, second order "
        f"+{second / 2**20:.0f} MiB; the dense Jacobian in float32 is {jacobian / 2**20:.0f} MiB"
    )
print(f"second order / Jacobian: {dense[16]:.2f} at H = 16, {dense[24]:.2f} at H = 24")
sys.exit(1 if dense[24] >= 0.5 else 0)
