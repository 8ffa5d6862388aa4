"""JAX set up for the gate: float64 on (`jax_enable_x64`), one CPU thread (XLA_FLAGS, set before
jax is imported, so only when this module imports jax first); its activations are jax.nn's.
"""

from __future__ import annotations

import os
from typing import Any

_THREADS = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
if _THREADS not in os.environ.get("XLA_FLAGS", ""):  # once: a worker inherits the controller's
    os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {_THREADS}".strip()
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402

jax.config.update("jax_enable_x64", True)

ACTIVATIONS: dict[str, Any] = {
    "identity": lambda z: z,
    "relu": jax.nn.relu,
    "leaky_relu": lambda z: jax.nn.leaky_relu(z, negative_slope=0.01),
    "tanh": jnp.tanh,
    "sigmoid": jax.nn.sigmoid,
}
