"""Ordinary 2-D convolution (Conv2D) in numpy: forward and backward, vectorized.

Layouts (channels-last, docs/contract.md):  X (n, in_h, in_w, in_ch),
W (kh, kw, in_ch // groups, out_ch),  b (out_ch,) or None,  Y (n, out_h, out_w, out_ch).
``cfg.padding`` (top, bottom, left, right) is zeros added around the input.

Formulation.  Output pixel (i, j) reads padded-input pixel
(i * stride_h + a * dilation_h, j * stride_w + c * dilation_w) through kernel tap (a, c).
The forward reads that geometry as a strided sliding-window *view* of the zero-padded input
and contracts it with one batched GEMM (the groups are the batch).  The backward loops over
the kernel taps only: the pixels one tap reads are one strided slice of the padded input,
so per tap one GEMM gives dW's tap and one GEMM plus one strided slice-add gives its share
of the padded input gradient, which is then cropped.  (Per tap, the backward never holds the
kh * kw times larger window matrix, which measured faster than one big GEMM on it.)  The
function names and structure mirror `gradgate.reference_impl.deconv2d.maths`, whose forward this
backward's dX is.  The kernels are the N-D ones every ordinary convolution shares
(`gradgate.reference_impl.nd.direct`); this module gives them the 2-D config's checks.
"""

from __future__ import annotations

import numpy as np

from gradgate.reference_impl.activations import activate
from gradgate.reference_impl.arrays import (
    backward_through_activation,
    check_arrays,
    check_bias,
    in_working_precision,
)
from gradgate.reference_impl.conv2d.config import Conv2DConfigLike, conv2d_output_shape
from gradgate.reference_impl.higher_order import derivatives
from gradgate.reference_impl.nd.direct import convolve, convolve_backward


def linear_forward(
    X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Conv2DConfigLike
) -> np.ndarray:
    """Z = conv2d(zero-padded X, W) + b (no activation)."""
    check_arrays(X, W, b)
    out_shape = conv2d_output_shape(X.shape, W.shape, cfg)
    check_bias(b, out_shape[3])
    return convolve(X, W, b, cfg, out_shape)


def linear_backward(
    dZ: np.ndarray, X: np.ndarray, W: np.ndarray, cfg: Conv2DConfigLike, with_bias: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(dX, dW, db) of sum(dZ * Z) for the linear map Z = linear_forward(X, W, b)."""
    return convolve_backward(dZ, X, W, cfg, with_bias)


@in_working_precision
def forward(
    X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Conv2DConfigLike
) -> np.ndarray:
    """Y = activation(conv2d(zero-padded X, W) + b)."""
    return activate(cfg.activation, linear_forward(X, W, b, cfg))


@in_working_precision
def backward(
    dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Conv2DConfigLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Gradients (dX, dW, db) of sum(dY * Y) with respect to X, W and b; db is None without b."""
    return backward_through_activation(
        dY, X, W, b, cfg, linear_forward, linear_backward, conv2d_output_shape
    )


# Forward mode and the second order (gradgate.reference_impl.higher_order): from the same linear
# map and its transposes.
jvp, double_backward = derivatives(linear_forward, linear_backward)
