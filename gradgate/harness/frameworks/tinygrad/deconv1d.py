"""`--framework tinygrad --layer deconv1d`: tinygrad's `Tensor.conv_transpose2d` (any number
of spatial axes), backward by `Tensor.gradient` (`gradgate.harness.frameworks.tinygrad.ops`)."""

from __future__ import annotations

from gradgate.harness.frameworks.tinygrad.ops import TRANSPOSED

forward, backward, supports = TRANSPOSED.forward, TRANSPOSED.backward, TRANSPOSED.supports
jvp, double_backward = TRANSPOSED.jvp, TRANSPOSED.double_backward
