"""MLX 0.32 (CPU): a segmentation fault in the second order of conv_transpose2d on larger
layers (docs/findings/mlx.md, "Under investigation": observed, trigger not yet characterized).

mx.vjp of the function (gy, x, w) -> mx.vjp(conv_transpose2d)(gy), for a float32 layer with
kernel 2, stride 2, no padding, x (1, 32, 32, 96), w (16, 2, 2, 96): the process dies with
SIGSEGV, every run; the first derivative of the same layer is right, and the same second order
on x (1, 32, 32, 64) runs.  Each runs in a child process, so the crash is reported, not
suffered.  Framework only: mlx, numpy.  Exits 1 while the larger one dies of SIGSEGV, else 0.
Run: python mlx_conv_transpose2d_second_order_crash.py
"""

import signal
import subprocess
import sys

CHILD = """
import sys
import mlx.core as mx
import numpy as np
mx.set_default_device(mx.cpu)
cin = int(sys.argv[1])
rng = np.random.default_rng(0)
x = mx.array(rng.standard_normal((1, 32, 32, cin)).astype(np.float32))
w = mx.array(rng.standard_normal((16, 2, 2, cin)).astype(np.float32))
f = lambda x, w: mx.conv_transpose2d(x, w, stride=2)
b = lambda g, x, w: mx.vjp(f, [x, w], [g])[1]
gy = mx.array(rng.standard_normal(f(x, w).shape).astype(np.float32))
mx.eval(*b(gy, x, w))
_, found = mx.vjp(b, [gy, x, w], [mx.ones(x.shape), mx.ones(w.shape)])
mx.eval(*found)
"""

crashed = False
for cin in (64, 96):
    run = subprocess.run([sys.executable, "-c", CHILD, str(cin)], capture_output=True, timeout=300)
    what = "runs" if run.returncode == 0 else f"dies (exit status {run.returncode})"
    print(f"x (1, 32, 32, {cin}), w (16, 2, 2, {cin}), stride 2: the second order {what}")
    crashed |= cin == 96 and run.returncode == -signal.SIGSEGV
sys.exit(1 if crashed else 0)
