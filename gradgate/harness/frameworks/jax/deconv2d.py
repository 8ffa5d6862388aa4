"""JAX: `jax.lax.conv_transpose` (groups > 1: `lax.conv_general_dilated` with input dilation,
the call conv_transpose makes, plus `feature_group_count`), backward by `jax.vjp`.

Layout NHWC.  groups = 1: the kernel (kh, kw, in, out) is given as the forward convolution's
kernel ("HWOI") with `transpose_kernel=True`, which flips it and swaps its channel axes, as
keras' Conv2DTranspose does.  Padding is JAX's native explicit padding of the stride-dilated
input, (dilation * (k - 1) - before, dilation * (k - 1) - after + output_padding) per axis:
asymmetric padding and output padding go in natively, negative where padding > dilation*(k-1).
Activations are jax.nn's.  float64 needs `jax_enable_x64`, set here; one CPU thread
(XLA_FLAGS, set before jax is imported, so only when this module imports jax first).  The
functions are `gradgate.harness.frameworks.jax.ops`'s, shared with every kind.
"""

from __future__ import annotations

from gradgate.harness.frameworks.jax.ops import TRANSPOSED

forward, backward, supports = TRANSPOSED.forward, TRANSPOSED.backward, TRANSPOSED.supports
jvp, double_backward = TRANSPOSED.jvp, TRANSPOSED.double_backward
