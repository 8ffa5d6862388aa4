"""`--framework paddle --layer deconv3d`: `paddle.nn.functional.conv3d_transpose`, backward by
`paddle.grad` (`gradgate.harness.frameworks.paddle.ops`)."""

from __future__ import annotations

from gradgate.harness.frameworks.paddle.ops import TRANSPOSED

forward, backward, supports = TRANSPOSED.forward, TRANSPOSED.backward, TRANSPOSED.supports
jvp, double_backward = TRANSPOSED.jvp, TRANSPOSED.double_backward
