"""TensorFlow: `tf.nn.conv2d_transpose`, backward by `tf.GradientTape`.

Layout NHWC (TF's default), filters (kh, kw, out, in) (TF's: output channels before input
channels), so W (kh, kw, in, out) has its channel axes swapped.  Padding is TF's native
explicit padding [[0, 0], [top, bottom], [left, right], [0, 0]] (the padding of the forward
convolution this op is the gradient of), and output padding is expressed through
`output_shape`.  Activations are tf.nn's.  One intra-op and one inter-op thread.
What the op cannot express is `unsupported`: groups > 1 (it has no groups argument),
dilation > 1 (TF's CPU kernel refuses it: "Current CPU implementations do not yet support
dilation rates larger than 1"), and
output padding >= stride (TF infers the input size back from `output_shape` through the
forward convolution, which then disagrees).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gradgate.harness.derivatives import A, B, Second, Tangent
from gradgate.harness.frameworks.dtypes import unsupported_dtype
from gradgate.harness.frameworks.tensorflow.common import (
    ACTIVATIONS,
    forward_accumulator_jvp,
    nested_tape_double_backward,
    tf,
)
from gradgate.reference_impl.deconv2d.config import output_shape


def supports(cfg: Any) -> bool | str:
    if cfg.groups != 1:
        return "tf.nn.conv2d_transpose has no groups argument"
    if any(d > 1 for d in cfg.dilation):
        # Conv2DBackpropInput on CPU: "Current CPU implementations do not yet support
        # dilation rates larger than 1."
        return "TensorFlow's CPU conv2d_transpose kernel supports no dilation > 1 (its own error)"
    if any(op >= s for op, s in zip(cfg.output_padding, cfg.stride)):
        return "tf.nn.conv2d_transpose: output padding must be < stride (output_shape is checked)"
    return unsupported_dtype(cfg, forward, backward, "tensorflow") or True


def _output(x: Any, w: Any, b: Any, cfg: Any) -> Any:
    top, bottom, left, right = cfg.padding
    n, _, _, in_ch = x.shape
    kh, kw, _, out_ch = w.shape
    shape = output_shape((n, x.shape[1], x.shape[2], in_ch), (kh, kw, in_ch, out_ch), cfg)
    z = tf.nn.conv2d_transpose(
        x,
        tf.transpose(w, (0, 1, 3, 2)),
        output_shape=shape,
        strides=[1, *cfg.stride, 1],
        padding=[[0, 0], [top, bottom], [left, right], [0, 0]],
        data_format="NHWC",
        dilations=[1, *cfg.dilation, 1],
    )
    return ACTIVATIONS[cfg.activation](z if b is None else z + b)


def forward(X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any) -> np.ndarray:
    bt = None if b is None else tf.constant(b)
    return _output(tf.constant(X), tf.constant(W), bt, cfg).numpy()


def backward(
    dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    sources = [tf.Variable(X), tf.Variable(W)] + ([] if b is None else [tf.Variable(b)])
    with tf.GradientTape() as tape:
        y = _output(sources[0], sources[1], sources[2] if b is not None else None, cfg)
    grads = [g.numpy() for g in tape.gradient(y, sources, output_gradients=tf.constant(dY))]
    return grads[0], grads[1], None if b is None else grads[2]


def jvp(tX: A, tW: A, tb: B, X: A, W: A, b: B, cfg: Any) -> Tangent:
    """`tf.autodiff.ForwardAccumulator`: TF's forward mode."""
    return forward_accumulator_jvp(_output, (X, W, b), (tX, tW, tb), cfg)


def double_backward(ddX: A, ddW: A, ddb: B, dY: A, X: A, W: A, b: B, cfg: Any) -> Second:
    """A `tf.GradientTape` around the backward's tape: TF's second order."""
    return nested_tape_double_backward(_output, (ddX, ddW, ddb), dY, (X, W, b), cfg)
