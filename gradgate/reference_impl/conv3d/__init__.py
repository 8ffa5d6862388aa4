"""The reference conv3D (3-D convolution): Conv3d semantics, channels-last.

`forward` and `backward` follow the implementation contract (docs/contract.md, "Every
convolution"): X (n, depth, rows, cols, in_ch), W (kd, kh, kw, in_ch // groups, out_ch), padding
(front, back, top, bottom, left, right) zeros added to the input. They are the shared N-D
kernels (`gradgate.reference_impl.nd.direct`); `make_config` takes an int or 3 values per
hyperparameter.
"""

from __future__ import annotations

from functools import partial

from gradgate.reference_impl.nd.config import ConvNdConfig, make_conv_config
from gradgate.reference_impl.nd.config import conv_output_shape as output_shape
from gradgate.reference_impl.nd.direct import (
    backward,
    double_backward,
    forward,
    jvp,
    linear_backward,
    linear_forward,
)

make_config = partial(make_conv_config, 3)

__all__ = [
    "ConvNdConfig",
    "backward",
    "double_backward",
    "forward",
    "jvp",
    "linear_backward",
    "linear_forward",
    "make_config",
    "output_shape",
]
