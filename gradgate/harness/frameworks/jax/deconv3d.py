"""`--framework jax --layer deconv3d`: JAX's `lax.conv_transpose` (3-D), backward by `jax.vjp`
(`gradgate.harness.frameworks.jax.ops`)."""

from __future__ import annotations

from gradgate.harness.frameworks.jax.ops import TRANSPOSED

forward, backward, supports = TRANSPOSED.forward, TRANSPOSED.backward, TRANSPOSED.supports
jvp, double_backward = TRANSPOSED.jvp, TRANSPOSED.double_backward
