"""TensorFlow 2.21: tf.nn.leaky_relu on float64 uses alpha rounded to float32.

`alpha` is a float (32-bit) op attribute, so alpha=0.01 becomes 0.009999999776482582 for
float64 tensors too: the negative side is off by 2.2e-8 relative, ~10^8 float64 ulps, in the
forward and in the gradient.  gradgate: every float64 leaky_relu case of the full grid fails
torch:Y/dX/dW (23 cases); float32 cases pass.  Framework only: tensorflow, numpy.
Run: python tensorflow_leaky_relu_float64.py (exits 1 when off)
"""

import numpy as np
import tensorflow as tf

x = tf.constant([-1.0, -3.0], dtype=tf.float64)
with tf.GradientTape() as tape:
    tape.watch(x)
    y = tf.nn.leaky_relu(x, alpha=0.01)
dx = tape.gradient(y, x)
print("leaky_relu(-1) =", repr(float(y[0])), "(exact: -0.01)")
print("d/dx at -1     =", repr(float(dx[0])), "(exact: 0.01)")
rel = abs(float(y[0]) + 0.01) / 0.01
print(f"relative error {rel:.2e} = {rel / np.finfo(np.float64).eps:.3g} float64 ulps")
raise SystemExit(1 if rel > 1e-15 else 0)
