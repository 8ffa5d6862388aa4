"""`--framework tensorflow --layer conv2d`: `tf.nn.conv2d`, backward by `tf.GradientTape`
(`gradgate.harness.frameworks.tensorflow.ops`)."""

from __future__ import annotations

from gradgate.harness.frameworks.tensorflow.ops import DIRECT

forward, backward, supports = DIRECT.forward, DIRECT.backward, DIRECT.supports
jvp, double_backward = DIRECT.jvp, DIRECT.double_backward
