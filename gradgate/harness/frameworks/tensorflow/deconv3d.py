"""`--framework tensorflow --layer deconv3d`: `tf.nn.conv3d_transpose`, backward by
`tf.GradientTape` (`gradgate.harness.frameworks.tensorflow.ops`)."""

from __future__ import annotations

from gradgate.harness.frameworks.tensorflow.ops import TRANSPOSED

forward, backward, supports = TRANSPOSED.forward, TRANSPOSED.backward, TRANSPOSED.supports
jvp, double_backward = TRANSPOSED.jvp, TRANSPOSED.double_backward
