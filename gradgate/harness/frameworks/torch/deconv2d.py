"""PyTorch: `torch.nn.functional.conv_transpose2d`, backward by autograd.

Called the way users call it: NCHW tensors with canonical contiguous strides, weight
(in, out / groups, kh, kw), default backends.  Padding is symmetric in PyTorch, so asymmetric
padding is its symmetric part plus a crop of the rest (the same map).  Activations are torch's.

Canonical strides matter: torch 2.13.0's float32 oneDNN weight gradient corrupts the heap for
1x1 kernels when a 1-channel input keeps channels-last strides (which `np.ascontiguousarray`
of a transposed array does); see docs/findings/torch.md.  Every case of the grids runs here
without reaching it.  The functions are `gradgate.harness.frameworks.torch.ops`'s, shared
with the 1-D and 3-D kinds.
"""

from __future__ import annotations

from gradgate.harness.frameworks.torch.ops import TRANSPOSED

forward, backward, supports = TRANSPOSED.forward, TRANSPOSED.backward, TRANSPOSED.supports
jvp, double_backward = TRANSPOSED.jvp, TRANSPOSED.double_backward
