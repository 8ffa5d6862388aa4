"""TensorFlow 2.21: float16 `reduce_sum` and bfloat16 `BiasAddGrad` accumulate in their dtype.

`tf.reduce_sum` (and so the gradient of a broadcast `z + b`) sums float16 in float16, and the
gradient of `tf.nn.bias_add` sums bfloat16 in bfloat16: the bits kept fall with the number of
terms (a correctly rounded sum keeps them all).  The other two combinations keep their bits.
Framework only: tensorflow, numpy.  Run: python tensorflow_low_precision_sums.py (exits 1 when off)
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

tf.config.threading.set_intra_op_parallelism_threads(1)
rng = np.random.default_rng(0)
lost = []
print("bits kept by the sum of n uniform(-1, 1) values:")
for dt, p in ((tf.float16, 11), (tf.bfloat16, 8)):
    for n in (300, 3000, 30000):
        dy = tf.cast(tf.constant(rng.uniform(-1, 1, size=(1, n, 1, 4))), dt)
        exact = tf.cast(dy, tf.float64).numpy().sum(axis=(0, 1, 2))
        b = tf.Variable(tf.zeros((4,), dtype=dt))
        with tf.GradientTape() as tape:
            y = tf.nn.bias_add(tf.zeros((1, n, 1, 4), dtype=dt), b)
        bias_grad = tape.gradient(y, b, output_gradients=dy)
        summed = tf.reduce_sum(dy, axis=(0, 1, 2))

        def bits(v: tf.Tensor, exact: np.ndarray = exact, p: int = p) -> float:
            err = np.linalg.norm(tf.cast(v, tf.float64).numpy() - exact) / np.linalg.norm(exact)
            return min(p, -np.log2(err)) if err else p

        a, s = bits(bias_grad), bits(summed)
        print(f"  {dt.name:8s} n={n:5d}: BiasAddGrad {a:4.1f} of {p} bits, reduce_sum {s:4.1f}")
        lost += [name for name, v in (("BiasAddGrad", a), ("reduce_sum", s)) if v < p - 2]
raise SystemExit(1 if lost else 0)
