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
from gradgate.cases.transposed import *  # noqa: F403  (the family's functions)
from gradgate.cases.transposed import nd_config, torch_w_axes
from gradgate.reference_impl.nd.config import deconv_output_shape
from gradgate.reference_impl.nd.transposed import linear_backward as linear_backward
from gradgate.reference_impl.nd.transposed import linear_forward as linear_forward

NAME = "deconv3d"
SPATIAL = 3
TITLE = "Deconv3D (transposed 3-D convolution)"
ID_PREFIX = "deconv3d-"
OUTPUT_PADDING = True
REFERENCE = "reference_impl.deconv3d"
TORCH_W_AXES = torch_w_axes(SPATIAL)
config = nd_config
output_shape = deconv_output_shape
grid_cases = grid_cases_of(NAME)
fuzz_cases = fuzz_cases_of(NAME)
