"""`--framework tinygrad --layer conv1d`: tinygrad's `Tensor.conv2d` (any number of spatial
axes), backward by `Tensor.gradient` (`gradgate.harness.frameworks.tinygrad.ops`)."""

from __future__ import annotations

from gradgate.harness.frameworks.tinygrad.ops import DIRECT

forward, backward, supports = DIRECT.forward, DIRECT.backward, DIRECT.supports
jvp, double_backward = DIRECT.jvp, DIRECT.double_backward
