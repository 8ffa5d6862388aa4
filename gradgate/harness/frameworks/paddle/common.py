"""PaddlePaddle set up for the gate: CPU, one thread (`paddle.set_num_threads` is absent in some
versions: OMP_NUM_THREADS then); its activations.
"""

from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

import paddle  # noqa: E402
import paddle.nn.functional as F  # noqa: E402

paddle.set_device("cpu")

ACTIVATIONS: dict[str, Any] = {
    "identity": lambda z: z,
    "relu": F.relu,
    "leaky_relu": lambda z: F.leaky_relu(z, negative_slope=0.01),
    "tanh": paddle.tanh,
    "sigmoid": F.sigmoid,
}
