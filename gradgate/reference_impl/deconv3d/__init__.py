"""The reference deconv3D (transposed 3-D convolution): ConvTranspose3d semantics, channels-last.

`forward` and `backward` follow the implementation contract (docs/contract.md, "Every
convolution"): X (n, depth, rows, cols, in_ch), W (kd, kh, kw, in_ch, out_ch // groups), padding
(front, back, top, bottom, left, right) cropped from the full output, output_padding per axis.
They are the shared N-D kernels (`gradgate.reference_impl.nd.transposed`); `make_config` takes
an int or 3 values per hyperparameter.
"""

from __future__ import annotations

from functools import partial

from gradgate.reference_impl.nd.config import DeconvNdConfig, make_deconv_config
from gradgate.reference_impl.nd.config import deconv_output_shape as output_shape
from gradgate.reference_impl.nd.transposed import (
    backward,
    double_backward,
    forward,
    jvp,
    linear_backward,
    linear_forward,
)

make_config = partial(make_deconv_config, 3)

__all__ = [
    "DeconvNdConfig",
    "backward",
    "double_backward",
    "forward",
    "jvp",
    "linear_backward",
    "linear_forward",
    "make_config",
    "output_shape",
]
