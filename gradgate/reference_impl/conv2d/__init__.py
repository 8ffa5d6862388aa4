"""The reference ordinary 2-D convolution: Conv2d semantics, channels-last.

`forward` and `backward` follow the implementation contract (docs/contract.md, Conv2D).
"""

from __future__ import annotations

from gradgate.reference_impl.conv2d.config import (
    Conv2DConfig,
    conv2d_output_shape,
    make_conv2d_config,
)
from gradgate.reference_impl.conv2d.maths import (
    backward,
    double_backward,
    forward,
    jvp,
    linear_backward,
    linear_forward,
)

__all__ = [
    "Conv2DConfig",
    "backward",
    "double_backward",
    "conv2d_output_shape",
    "forward",
    "jvp",
    "linear_backward",
    "linear_forward",
    "make_conv2d_config",
]
