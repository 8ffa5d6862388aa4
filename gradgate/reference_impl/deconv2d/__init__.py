"""The reference transposed 2-D convolution: ConvTranspose2d semantics, channels-last.

`forward` and `backward` follow the implementation contract (docs/contract.md); `Deconv2D` is
a numpy-ml-style layer over the same functions.
"""

from __future__ import annotations

from gradgate.reference_impl.deconv2d.config import DeconvConfig, make_config, output_shape
from gradgate.reference_impl.deconv2d.layer import Deconv2D
from gradgate.reference_impl.deconv2d.maths import (
    backward,
    double_backward,
    forward,
    jvp,
    linear_backward,
    linear_forward,
)

__all__ = [
    "Deconv2D",
    "DeconvConfig",
    "backward",
    "double_backward",
    "forward",
    "jvp",
    "linear_backward",
    "linear_forward",
    "make_config",
    "output_shape",
]
