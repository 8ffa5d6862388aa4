"""gradgate's reference layers, numpy only: one package per layer kind
(`gradgate.reference_impl.deconv2d`, `gradgate.reference_impl.conv2d`), over shared helpers
(`activations`, `params`, `arrays`).

For compatibility, `reference_impl` itself is the Deconv2D reference (`--impl reference_impl`,
`reference_impl.forward`, `reference_impl.Deconv2D`): the one kind gradgate started with.
Every other kind is named by its package (`--impl reference_impl.conv2d`, its public name).
"""

from __future__ import annotations

from gradgate.reference_impl.activations import ACTIVATIONS
from gradgate.reference_impl.deconv2d import (
    Deconv2D,
    DeconvConfig,
    backward,
    double_backward,
    forward,
    jvp,
    linear_backward,
    linear_forward,
    make_config,
    output_shape,
)

__all__ = [
    "ACTIVATIONS",
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
