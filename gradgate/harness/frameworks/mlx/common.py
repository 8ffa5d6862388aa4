"""MLX set up for the gate: its CPU device; its activations (mlx.nn's)."""

from __future__ import annotations

from typing import Any

import mlx.core as mx
import mlx.nn as nn

mx.set_default_device(mx.cpu)

ACTIVATIONS: dict[str, Any] = {
    "identity": lambda z: z,
    "relu": nn.relu,
    "leaky_relu": lambda z: nn.leaky_relu(z, negative_slope=0.01),
    "tanh": mx.tanh,
    "sigmoid": mx.sigmoid,
}
