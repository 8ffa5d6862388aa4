"""Deconv1D (transposed 1-D convolution): PyTorch ConvTranspose1d semantics, channels-last.

The description the engine reads (`gradgate.cases.kind`): what every transposed convolution
shares (`gradgate.cases.transposed`) with 1 spatial axis; the maths are
`gradgate.reference_impl.deconv1d`, the grids `grid.py` (through `gradgate.cases.axis_grids`),
the fuzz strategy `gradgate.cases.axis_fuzz`.

Contract (docs/contract.md): X (n, length, in_ch), W (k, in_ch, out_ch // groups), padding
(left, right) cropped from the full output, output_padding (extra,).
"""

from __future__ import annotations

from gradgate.cases.axis_fuzz import fuzz_cases_of
from gradgate.cases.axis_grids import grid_cases_of
from gradgate.cases.transposed import *  # noqa: F403  (the family's functions)
from gradgate.cases.transposed import nd_config, torch_w_axes
from gradgate.reference_impl.nd.config import deconv_output_shape
from gradgate.reference_impl.nd.transposed import linear_backward as linear_backward
from gradgate.reference_impl.nd.transposed import linear_forward as linear_forward

NAME = "deconv1d"
SPATIAL = 1
TITLE = "Deconv1D (transposed 1-D convolution)"
ID_PREFIX = "deconv1d-"
OUTPUT_PADDING = True
REFERENCE = "reference_impl.deconv1d"
TORCH_W_AXES = torch_w_axes(SPATIAL)
config = nd_config
output_shape = deconv_output_shape
grid_cases = grid_cases_of(NAME)
fuzz_cases = fuzz_cases_of(NAME)
