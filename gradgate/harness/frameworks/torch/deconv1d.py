"""`--framework torch --layer deconv1d`: PyTorch's `torch.nn.functional.conv_transpose1d`, backward
by autograd (`gradgate.harness.frameworks.torch.ops`)."""

from __future__ import annotations

from gradgate.harness.frameworks.torch.ops import TRANSPOSED

forward, backward, supports = TRANSPOSED.forward, TRANSPOSED.backward, TRANSPOSED.supports
jvp, double_backward = TRANSPOSED.jvp, TRANSPOSED.double_backward
