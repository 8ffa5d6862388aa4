"""TensorFlow 2.21, CPU: the gradient of tf.nn.conv1d / tf.nn.conv2d raises in float64 when the
convolution is dilated or grouped, where float32 computes it.

A sweep over dtype x op (conv1d, conv2d) x groups (1, 2) x dilation (1, 2) x stride (1, 2):
the forward always runs; tape.gradient raises InvalidArgumentError ("Current CPU implementations
do not yet support dilation rates larger than 1." / "Gradients for grouped convolutions are
not supported on CPU.") exactly on the float64 configurations with dilation > 1 or groups > 1,
and never in float32 (whose gradients the gate holds to torch float64 on every case of the
conv1d and conv2d `default` grids: docs/findings/tensorflow.md).  Framework only: tensorflow,
numpy.
Run: python tensorflow_float64_conv_gradients.py (exits 1 while float64 refuses)
"""

from __future__ import annotations

import itertools
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402


def run(dtype: str, nd: int, groups: int, dilation: int, stride: int) -> str:
    rng = np.random.default_rng(0)
    size = (9,) * nd
    x = tf.Variable(rng.standard_normal((2, *size, 4)).astype(dtype))
    w = tf.Variable(rng.standard_normal((3,) * nd + (4 // groups, 4)).astype(dtype))
    with tf.GradientTape() as tape:
        if nd == 1:
            y = tf.nn.conv1d(x, w, stride, "VALID", dilations=dilation)
        else:
            y = tf.nn.conv2d(x, w, stride, "VALID", dilations=dilation)
    try:
        dx, dw = tape.gradient(y, [x, w])
        return (
            "computes" if np.isfinite(dx.numpy()).all() and np.isfinite(dw.numpy()).all() else "nan"
        )
    except tf.errors.InvalidArgumentError as exc:
        return "raises: " + exc.message.split("}}")[-1].split(" [Op")[0].strip()


refusals = 0
configs = list(itertools.product(("float64", "float32"), (1, 2), (1, 2), (1, 2), (1, 2)))
for dtype, nd, groups, dilation, stride in configs:
    verdict = run(dtype, nd, groups, dilation, stride)
    expected_refusal = dtype == "float64" and (groups > 1 or dilation > 1)
    refusals += verdict.startswith("raises")
    mark = (
        ""
        if verdict.startswith("raises") == expected_refusal
        else "   <- outside the stated condition"
    )
    print(f"{dtype} conv{nd}d groups={groups} dilation={dilation} stride={stride}: {verdict}{mark}")
print(f"{len(configs)} configurations, {refusals} refused")
raise SystemExit(1 if refusals else 0)
