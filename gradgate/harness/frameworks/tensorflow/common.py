"""TensorFlow set up for the gate: quiet, one intra- and one inter-op thread; its activations."""

from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf  # noqa: E402

tf.config.threading.set_intra_op_parallelism_threads(1)
tf.config.threading.set_inter_op_parallelism_threads(1)

ACTIVATIONS: dict[str, Any] = {
    "identity": lambda z: z,
    "relu": tf.nn.relu,
    "leaky_relu": lambda z: tf.nn.leaky_relu(z, alpha=0.01),
    "tanh": tf.tanh,
    "sigmoid": tf.sigmoid,
}
