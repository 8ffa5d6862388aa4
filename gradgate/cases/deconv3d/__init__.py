"""Deconv3D (transposed 3-D convolution): PyTorch ConvTranspose3d semantics, channels-last.

The description the engine reads (`gradgate.cases.kind`): what every transposed convolution
shares (`gradgate.cases.transposed`) with 3 spatial axes; the maths are
`gradgate.reference_impl.deconv3d`, the grids `grid.py` (through `gradgate.cases.axis_grids`),
the fuzz strategy `gradgate.cases.axis_fuzz`.

Contract (docs/contract.md): X (n, depth, rows, cols, in_ch), W (kd, kh, kw, in_ch, out_ch //
groups), padding (front, back, top, bottom, left, right) cropped from the full output,
output_padding per axis.
"""

from __future__ import annotations

from gradgate.cases.axis_fuzz import fuzz_cases_of
from gradgate.cases.axis_grids import grid_cases_of
from gradgate.cases.transposed import (
    dw_terms,
    reach_of_inputs,
    reach_of_taps,
    torch_linear,
    torch_w_axes,
    w_canonical,
    w_from_canonical,
    w_shape,
)
from gradgate.cases.transposed import nd_config as config
from gradgate.reference_impl.nd.config import deconv_output_shape as output_shape
from gradgate.reference_impl.nd.transposed import linear_backward, linear_forward

NAME = "deconv3d"
SPATIAL = 3
TITLE = "Deconv3D (transposed 3-D convolution)"
ID_PREFIX = "deconv3d-"
OUTPUT_PADDING = True
REFERENCE = "reference_impl.deconv3d"
TORCH_W_AXES = torch_w_axes(SPATIAL)
grid_cases = grid_cases_of(NAME)
fuzz_cases = fuzz_cases_of(NAME)

__all__ = [
    "config",
    "dw_terms",
    "linear_backward",
    "linear_forward",
    "output_shape",
    "reach_of_inputs",
    "reach_of_taps",
    "torch_linear",
    "w_canonical",
    "w_from_canonical",
    "w_shape",
]
