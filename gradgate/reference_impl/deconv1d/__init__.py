"""The reference deconv1D (transposed 1-D convolution): ConvTranspose1d semantics, channels-last.

`forward` and `backward` follow the implementation contract (docs/contract.md, "Every
convolution"): X (n, length, in_ch), W (k, in_ch, out_ch // groups), padding (left, right)
cropped from the full output, output_padding (extra,). They are the shared N-D kernels
(`gradgate.reference_impl.nd.transposed`); `make_config` takes an int or 1 value per
hyperparameter.
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

make_config = partial(make_deconv_config, 1)

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
