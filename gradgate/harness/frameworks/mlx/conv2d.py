"""`--framework mlx --layer conv2d`: MLX's `mlx.core.conv2d`, backward by `mlx.core.vjp`
(`gradgate.harness.frameworks.mlx.ops`)."""

from __future__ import annotations

from gradgate.harness.frameworks.mlx.ops import DIRECT

forward, backward, supports = DIRECT.forward, DIRECT.backward, DIRECT.supports
jvp, double_backward = DIRECT.jvp, DIRECT.double_backward
