"""`--framework jax --layer conv2d`: JAX's `lax.conv_general_dilated` (2-D), backward by `jax.vjp`
(`gradgate.harness.frameworks.jax.ops`)."""

from __future__ import annotations

from gradgate.harness.frameworks.jax.ops import DIRECT

forward, backward, supports = DIRECT.forward, DIRECT.backward, DIRECT.supports
jvp, double_backward = DIRECT.jvp, DIRECT.double_backward
