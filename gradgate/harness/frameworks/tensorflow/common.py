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


def forward_accumulator_jvp(output: Any, primals: Any, tangents: Any, cfg: Any) -> tuple[Any, Any]:
    """(Y, tY) by `tf.autodiff.ForwardAccumulator`: TF's forward mode through `output(x, w, b,
    cfg)`, at primals (X, W, b) along tangents (tX, tW, tb) (b and tb None without bias)."""
    x, w, *rest = [tf.constant(a) for a in primals if a is not None]
    along = [tf.constant(t) for t in tangents if t is not None]
    with tf.autodiff.ForwardAccumulator([x, w, *rest], along) as accumulator:
        y = output(x, w, rest[0] if rest else None, cfg)
    ty = accumulator.jvp(y, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    return y.numpy(), ty.numpy()


def nested_tape_double_backward(
    output: Any, cotangents: Any, dY: Any, primals: Any, cfg: Any
) -> tuple[Any, Any, Any, Any]:
    """(gdY, gX, gW, gb) by a `tf.GradientTape` around the backward's own tape: TF's second
    order through `output(x, w, b, cfg)`, cotangents (ddX, ddW, ddb) and primals (X, W, b)."""
    sources = [tf.Variable(a) for a in primals if a is not None]
    dy = tf.Variable(dY)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            y = output(sources[0], sources[1], sources[2] if len(sources) > 2 else None, cfg)
        grads = inner.gradient(y, sources, output_gradients=dy)
    found = outer.gradient(
        grads,
        [dy, *sources],
        output_gradients=[tf.constant(c) for c in cotangents if c is not None],
        unconnected_gradients=tf.UnconnectedGradients.ZERO,
    )
    out = [g.numpy() for g in found]
    return out[0], out[1], out[2], out[3] if len(out) > 3 else None
