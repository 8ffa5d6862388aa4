"""TensorFlow's own 1-D and 3-D convolutions and its `tf.nn.conv2d`, backward by
`tf.GradientTape`; each kind's module (`conv1d.py`, `deconv3d.py`, ...) is these functions
(Deconv2D keeps its explicit-padding call, `deconv2d.py`).

Channels-last layouts (TF's default).  Ordinary: `tf.nn.conv1d/conv2d/conv3d` with filters
(*kernel, in / groups, out), the contract's layout (TF infers the groups from the filter's
input channels), on the input padded with the contract's (before, after) zeros (`tf.pad`) and
`padding="VALID"`.  Transposed: `tf.nn.conv1d_transpose/conv3d_transpose` with filters
(*kernel, out, in) (TF's: output channels first), `padding="VALID"` and an `output_shape` of the
full output (output padding included), then the contract's padding cropped from it.
Activations are tf.nn's.  One intra-op and one inter-op thread.  What an op cannot express is
`unsupported`, in TF's own words: groups and dilation of the 3-D ops and the transposed ones,
output padding >= stride (TF infers the input size back from `output_shape`).
"""

from __future__ import annotations

from collections.abc import Callable
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
from gradgate.harness.frameworks.translations import crop


def _direct(x: Any, w: Any, cfg: Any) -> Any:
    nd = len(x.shape) - 2
    pads = [[0, 0], *([cfg.padding[2 * i], cfg.padding[2 * i + 1]] for i in range(nd)), [0, 0]]
    x = tf.pad(x, pads)
    if nd == 1:
        return tf.nn.conv1d(x, w, stride=cfg.stride[0], padding="VALID", dilations=cfg.dilation[0])
    op = tf.nn.conv2d if nd == 2 else tf.nn.conv3d
    return op(x, w, [1, *cfg.stride, 1], "VALID", dilations=[1, *cfg.dilation, 1])


def _transposed(x: Any, w: Any, cfg: Any) -> Any:
    nd = len(x.shape) - 2
    size = x.shape[1:-1]
    *kernel, _, out_ch = w.shape
    full = [
        (n - 1) * s + d * (k - 1) + 1 + op
        for n, k, s, d, op in zip(size, kernel, cfg.stride, cfg.dilation, cfg.output_padding)
    ]
    filters = tf.transpose(w, (*range(nd), nd + 1, nd))  # (*kernel, out, in)
    shape = [x.shape[0], *full, out_ch]
    if nd == 1:
        z = tf.nn.conv1d_transpose(
            x, filters, shape, cfg.stride[0], "VALID", dilations=cfg.dilation[0]
        )
    else:
        z = tf.nn.conv3d_transpose(
            x, filters, shape, [1, *cfg.stride, 1], "VALID", dilations=[1, *cfg.dilation, 1]
        )
    return crop(z, tuple(cfg.padding), h_axis=1)


def _direct_scope(cfg: Any) -> str | None:
    if len(tuple(cfg.stride)) == 3:
        if cfg.groups != 1:
            return "tf.nn.conv3d's CPU kernel takes no groups (its filter has every input channel)"
        if any(d > 1 for d in cfg.dilation):
            return "TensorFlow's CPU Conv3D supports no dilation > 1 (its own error)"
    return None


def _transposed_scope(cfg: Any) -> str | None:
    nd = len(tuple(cfg.stride))
    if cfg.groups != 1:
        return f"tf.nn.conv{nd}d_transpose has no groups argument"
    if any(d > 1 for d in cfg.dilation):
        return (
            f"TensorFlow's CPU conv{nd}d_transpose kernel supports no dilation > 1 (its own error)"
        )
    if any(op >= s for op, s in zip(cfg.output_padding, cfg.stride)):
        return (
            f"tf.nn.conv{nd}d_transpose: output padding must be < stride (output_shape is checked)"
        )
    return None


class Kind:
    """forward/backward/supports of the contract over one family's TF op."""

    def __init__(self, op: Callable[..., Any], scope: Callable[[Any], str | None]) -> None:
        self.op, self.scope = op, scope

    def supports(self, cfg: Any) -> bool | str:
        return (
            self.scope(cfg)
            or unsupported_dtype(cfg, self.forward, self.backward, "tensorflow")
            or True
        )

    def _output(self, x: Any, w: Any, b: Any, cfg: Any) -> Any:
        z = self.op(x, w, cfg)
        return ACTIVATIONS[cfg.activation](z if b is None else z + b)

    def forward(self, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any) -> np.ndarray:
        bt = None if b is None else tf.constant(b)
        return self._output(tf.constant(X), tf.constant(W), bt, cfg).numpy()

    def backward(
        self, dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        sources = [tf.Variable(X), tf.Variable(W)] + ([] if b is None else [tf.Variable(b)])
        with tf.GradientTape() as tape:
            y = self._output(sources[0], sources[1], sources[2] if b is not None else None, cfg)
        grads = [g.numpy() for g in tape.gradient(y, sources, output_gradients=tf.constant(dY))]
        return grads[0], grads[1], None if b is None else grads[2]

    def jvp(self, tX: A, tW: A, tb: B, X: A, W: A, b: B, cfg: Any) -> Tangent:
        """`tf.autodiff.ForwardAccumulator`: TF's forward mode."""
        return forward_accumulator_jvp(self._output, (X, W, b), (tX, tW, tb), cfg)

    def double_backward(self, ddX: A, ddW: A, ddb: B, dY: A, X: A, W: A, b: B, cfg: Any) -> Second:
        """A `tf.GradientTape` around the backward's tape: TF's second order."""
        return nested_tape_double_backward(self._output, (ddX, ddW, ddb), dY, (X, W, b), cfg)


TRANSPOSED = Kind(_transposed, _transposed_scope)
DIRECT = Kind(_direct, _direct_scope)
