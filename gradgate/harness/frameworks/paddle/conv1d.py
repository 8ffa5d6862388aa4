"""`--framework paddle --layer conv1d`: `paddle.nn.functional.conv1d`, backward by
`paddle.grad` (`gradgate.harness.frameworks.paddle.ops`)."""

from __future__ import annotations

from gradgate.harness.frameworks.paddle.ops import DIRECT

forward, backward, supports = DIRECT.forward, DIRECT.backward, DIRECT.supports
jvp, double_backward = DIRECT.jvp, DIRECT.double_backward
