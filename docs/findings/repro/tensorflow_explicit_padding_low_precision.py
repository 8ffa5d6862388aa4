"""TensorFlow 2.21: conv2d_transpose with explicit padding loses float16/bfloat16 bits.

The same transposed convolution, the same inputs, once with padding="VALID" and once with the
equivalent explicit padding [[0, 0], [0, 0], [0, 0], [0, 0]]: the VALID call keeps every bit
of its dtype (a correctly rounded result), the explicit one loses bits in Y and in the kernel
gradient, more with more input channels, as a sum kept in the low dtype does.  dX keeps its
bits either way.  Framework only: tensorflow, numpy.
Run: python tensorflow_explicit_padding_low_precision.py (exits 1 when off)
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

tf.config.threading.set_intra_op_parallelism_threads(1)
rng = np.random.default_rng(0)


def bits(v: tf.Tensor, exact: tf.Tensor, p: int) -> float:
    err = np.linalg.norm(tf.cast(v, tf.float64).numpy() - exact.numpy())
    err /= np.linalg.norm(exact.numpy())
    return min(p, -np.log2(err)) if err else p


lost = False
print("bits kept (of 11 for float16, 8 for bfloat16): Y, dX, dW")
for dt, p in ((tf.float16, 11), (tf.bfloat16, 8)):
    for cin in (4, 64, 129):
        x = tf.cast(tf.constant(rng.uniform(-1, 1, (2, 8, 8, cin))), dt)
        w = tf.cast(tf.constant(rng.uniform(-1, 1, (2, 2, 8, cin))), dt)  # (kh, kw, out, in)
        shape = (2, 16, 16, 8)  # stride 2, kernel 2
        dy = tf.cast(tf.constant(rng.uniform(-1, 1, shape)), dt)
        x64, w64, dy64 = (tf.cast(t, tf.float64) for t in (x, w, dy))
        for padding in ("VALID", [[0, 0], [0, 0], [0, 0], [0, 0]]):

            def f(x, w, padding=padding, shape=shape):  # noqa: ANN001, ANN202
                return tf.nn.conv2d_transpose(x, w, shape, strides=2, padding=padding)

            with tf.GradientTape() as tape:
                tape.watch([x, w])
                y = f(x, w)
            gx, gw = tape.gradient(y, [x, w], output_gradients=dy)
            with tf.GradientTape() as tape:
                tape.watch([x64, w64])
                y64 = f(x64, w64)
            ex, ew = tape.gradient(y64, [x64, w64], output_gradients=dy64)
            kept = [bits(y, y64, p), bits(gx, ex, p), bits(gw, ew, p)]
            name = "VALID" if padding == "VALID" else "explicit zeros"
            print(
                f"  {dt.name:8s} in_ch {cin:3d} {name:14s}: " + ", ".join(f"{b:4.1f}" for b in kept)
            )
            lost |= padding != "VALID" and min(kept) < p - 1
raise SystemExit(1 if lost else 0)
