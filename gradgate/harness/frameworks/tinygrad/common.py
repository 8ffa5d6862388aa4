"""tinygrad's activations, as Tensor methods (its CPU device needs no set-up beyond clang)."""

from __future__ import annotations

from typing import Any

ACTIVATIONS: dict[str, Any] = {
    "identity": lambda z: z,
    "relu": lambda z: z.relu(),
    "leaky_relu": lambda z: z.leaky_relu(0.01),
    "tanh": lambda z: z.tanh(),
    "sigmoid": lambda z: z.sigmoid(),
}
