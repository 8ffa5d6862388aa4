"""`--framework mlx --layer deconv3d`: MLX's `mlx.core.conv_transpose3d`, backward by `mlx.core.vjp`
(`gradgate.harness.frameworks.mlx.ops`)."""

from __future__ import annotations

from gradgate.harness.frameworks.mlx.ops import TRANSPOSED

forward, backward, supports = TRANSPOSED.forward, TRANSPOSED.backward, TRANSPOSED.supports
jvp, double_backward = TRANSPOSED.jvp, TRANSPOSED.double_backward
