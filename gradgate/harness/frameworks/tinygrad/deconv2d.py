"""tinygrad: `Tensor.conv_transpose2d`, backward by tinygrad's autodiff (`Tensor.gradient`).

Layout NCHW, weight (in, out / groups, kh, kw), as PyTorch.  Padding is tinygrad's native
explicit 4-tuple (left, right, top, bottom), so asymmetric padding goes in as it is; output
padding, dilation and groups are its own arguments.  Activations are tinygrad's
(`leaky_relu(0.01)`).  Its CPU device compiles kernels with clang (Debian's `clang`);
`DEV=PYTHON` selects its pure-Python emulator instead (slow).  The functions are
`gradgate.harness.frameworks.tinygrad.ops`'s, shared with every kind.
"""

from __future__ import annotations

from gradgate.harness.frameworks.tinygrad.ops import TRANSPOSED

forward, backward, supports = TRANSPOSED.forward, TRANSPOSED.backward, TRANSPOSED.supports
jvp, double_backward = TRANSPOSED.jvp, TRANSPOSED.double_backward
