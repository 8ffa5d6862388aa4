"""JAX 0.10: the gradient of a broadcast bias add sums float16/bfloat16 in that dtype.

`jax.vjp` of `z + b` (b broadcast over batch and space) transposes the broadcast into a
`reduce_sum` in the operand's dtype, while `jnp.sum` of the same cotangent upcasts to float32.
So a layer's bias gradient keeps fewer bits the more terms it sums: gradgate's precision:db
fails float16 Deconv2D cases at 300 terms (jax's conv_transpose itself keeps its bits).
Framework only: jax, numpy.  Run: python jax_bias_gradient_low_precision.py (exits 1 when off)
"""

import os

os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false")
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

rng = np.random.default_rng(0)
bad = False
print("bits kept by the sum of n uniform(-1, 1) values (a correctly rounded sum keeps all):")
for dtype, p in (("float16", 11), ("bfloat16", 8)):
    for n in (300, 3000, 30000):
        dy = jnp.asarray(rng.uniform(-1, 1, size=(1, n, 1, 4)).astype(jnp.dtype(dtype)))
        exact = np.asarray(dy, np.float64).sum(axis=(0, 1, 2))
        _, vjp = jax.vjp(
            lambda b, n=n, dtype=dtype: jnp.zeros((1, n, 1, 4), dtype) + b, jnp.zeros((4,), dtype)
        )
        (db,) = vjp(dy)
        summed = jnp.sum(dy, axis=(0, 1, 2))

        def bits(v: jax.Array, exact: np.ndarray = exact, p: int = p) -> float:
            err = np.linalg.norm(np.asarray(v, np.float64) - exact) / np.linalg.norm(exact)
            return min(p, -np.log2(err)) if err else p

        print(
            f"  {dtype:8s} n={n:5d}: vjp of the bias add {bits(db):4.1f} of {p} bits, "
            f"jnp.sum {bits(summed):4.1f}"
        )
        bad |= bits(db) < p - 2 and bits(summed) >= p - 0.5
raise SystemExit(1 if bad else 0)
