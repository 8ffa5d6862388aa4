"""JAX (jaxlib CPU): where the float32 kernel gradient of `lax.conv_transpose` goes wrong, by
sweep (docs/findings/jax.md #1).

Framework only: jax, numpy.  One axis varies (width; height 3, trivial padding): kernel 1 to 3,
stride 1 and 2, JAX's explicit padding pair (lo, hi) each in -3..2, input width 4 and 5; 2 input
and 4 output channels.  The float32 dW of `jax.vjp` is held to the float64 one (which the
reproducer checks against an exact einsum).  Prints the failing configurations and tests the
candidate condition "stride 1 and lo < 0 < hi <= -lo"; exits 1 while any configuration fails.
A few minutes: XLA compiles every shape.  Run: python jax_conv_weight_gradient_sweep.py
"""

import itertools

import jax
import numpy as np

jax.config.update("jax_enable_x64", True)
rng = np.random.default_rng(0)


def layer(x, w, pads, s):
    dn = ("NHWC", "HWOI", "NHWC")
    return jax.lax.conv_transpose(x, w, (1, s), pads, dimension_numbers=dn, transpose_kernel=True)


wrong, seen, candidate = [], 0, []
for k, s, lo, hi, n in itertools.product([1, 2, 3], [1, 2], range(-3, 3), range(-3, 3), [4, 5]):
    x64, w64 = rng.uniform(-1, 1, (1, 3, n, 2)), rng.uniform(-1, 1, (1, k, 2, 4))
    pads = ((0, 0), (lo, hi))
    try:
        y64, vjp64 = jax.vjp(lambda x, w, p=pads, s=s: layer(x, w, p, s), x64, w64)
    except Exception:  # noqa: BLE001 - no such layer (a negative size)
        continue
    if min(y64.shape[1:3]) < 1:
        continue
    seen += 1
    dy = rng.uniform(-1, 1, y64.shape)
    dw64 = np.asarray(vjp64(dy)[1])
    _, vjp32 = jax.vjp(
        lambda x, w, p=pads, s=s: layer(x, w, p, s), x64.astype("f4"), w64.astype("f4")
    )
    dw32 = np.asarray(vjp32(dy.astype("f4"))[1], np.float64)
    config = (k, s, lo, hi, n)
    if np.abs(dw32 - dw64).max() > 1e-4 * (1 + np.abs(dw64).max()):
        wrong.append(config)
    if s == 1 and lo < 0 < hi <= -lo:
        candidate.append(config)
print(
    f"{seen} configurations, {len(wrong)} with a wrong float32 dW (kernel, stride, lo, hi, width):"
)
print(" ", wrong)
inside = [c for c in wrong if c in candidate]
print(f"stride 1 and lo < 0 < hi <= -lo: {len(candidate)} configurations, {len(inside)} wrong;")
print(f"  wrong outside it: {[c for c in wrong if c not in candidate]}")
raise SystemExit(1 if wrong else 0)
