"""Transposed 2-D convolution in numpy: forward and backward, vectorized.

Layouts (channels-last):  X (n, in_h, in_w, in_ch),  W (kh, kw, in_ch, out_ch // groups),
b (out_ch,) or None,  Y (n, out_h, out_w, out_ch).

Formulation.  Input pixel (i, j) and kernel tap (a, c) land on full-output pixel
(i * stride_h + a * dilation_h, j * stride_w + c * dilation_w).  The forward is one batched
GEMM (every pixel against every tap, per group) followed by one strided slice-add per kernel
tap; nothing is scattered element by element and no zero-dilated copy of X is made.  The
backward reads the same geometry as a strided sliding-window *view* of the (padded) output
gradient and contracts it with two GEMMs.  The kernels are the N-D ones every transposed kind
shares (`gradgate.reference_impl.nd.transposed`); this module gives them the 2-D config's checks.
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
from gradgate.reference_impl.deconv2d.config import DeconvConfig, output_shape
from gradgate.reference_impl.higher_order import derivatives
from gradgate.reference_impl.nd.transposed import transpose_convolve, transpose_convolve_backward


def linear_forward(
    X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: DeconvConfig
) -> np.ndarray:
    """Z = conv_transpose2d(X, W) cropped by padding, + b (no activation)."""
    check_arrays(X, W, b)
    out_shape = output_shape(X.shape, W.shape, cfg)
    check_bias(b, out_shape[3])
    return transpose_convolve(X, W, b, cfg, out_shape)


def linear_backward(
    dZ: np.ndarray, X: np.ndarray, W: np.ndarray, cfg: DeconvConfig, with_bias: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(dX, dW, db) of sum(dZ * Z) for the linear map Z = linear_forward(X, W, b)."""
    return transpose_convolve_backward(dZ, X, W, cfg, with_bias)


@in_working_precision
def forward(X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: DeconvConfig) -> np.ndarray:
    """Y = activation(conv_transpose2d(X, W) cropped by padding + b)."""
    return activate(cfg.activation, linear_forward(X, W, b, cfg))


@in_working_precision
def backward(
    dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: DeconvConfig
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Gradients (dX, dW, db) of sum(dY * Y) with respect to X, W and b; db is None without b."""
    return backward_through_activation(
        dY, X, W, b, cfg, linear_forward, linear_backward, output_shape
    )


# Forward mode and the second order (gradgate.reference_impl.higher_order): from the same linear
# map and its transposes.
jvp, double_backward = derivatives(linear_forward, linear_backward)
