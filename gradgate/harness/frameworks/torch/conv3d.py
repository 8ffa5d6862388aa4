"""`--framework torch --layer conv3d`: PyTorch's `torch.nn.functional.conv3d`, backward by autograd
(`gradgate.harness.frameworks.torch.ops`)."""

from __future__ import annotations

from gradgate.harness.frameworks.torch.ops import DIRECT

forward, backward, supports = DIRECT.forward, DIRECT.backward, DIRECT.supports
jvp, double_backward = DIRECT.jvp, DIRECT.double_backward
