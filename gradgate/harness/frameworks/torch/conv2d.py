"""`--framework torch --layer conv2d`: PyTorch's `torch.nn.functional.conv2d`, backward by
autograd.

Called the way users call it: NCHW tensors with canonical strides, weight (out, in // groups,
kh, kw), default backends, torch's activations.  PyTorch's padding is symmetric, so the rest of
an asymmetric padding is zeros added to the input first (`F.pad`), the same map.  The
functions are `gradgate.harness.frameworks.torch.ops`'s, shared with the 1-D and 3-D kinds.
"""

from __future__ import annotations

from gradgate.harness.frameworks.torch.ops import DIRECT

forward, backward, supports = DIRECT.forward, DIRECT.backward, DIRECT.supports
jvp, double_backward = DIRECT.jvp, DIRECT.double_backward
