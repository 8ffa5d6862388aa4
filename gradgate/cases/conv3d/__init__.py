"""Conv3D (3-D convolution): PyTorch Conv3d semantics, channels-last.

The description the engine reads (`gradgate.cases.kind`): what every ordinary convolution shares
(`gradgate.cases.direct`) with 3 spatial axes; the maths are `gradgate.reference_impl.conv3d`,
the grids `grid.py` (through `gradgate.cases.axis_grids`), the fuzz strategy
`gradgate.cases.axis_fuzz`.

Contract (docs/contract.md): X (n, depth, rows, cols, in_ch), W (kd, kh, kw, in_ch // groups,
out_ch), padding (front, back, top, bottom, left, right) zeros added to the input.
"""

from __future__ import annotations

from gradgate.cases.axis_fuzz import fuzz_cases_of
from gradgate.cases.axis_grids import grid_cases_of
from gradgate.cases.direct import *  # noqa: F403  (the family's functions)
from gradgate.cases.direct import nd_config, torch_w_axes
from gradgate.reference_impl.nd.config import conv_output_shape
from gradgate.reference_impl.nd.direct import linear_backward as linear_backward
from gradgate.reference_impl.nd.direct import linear_forward as linear_forward

NAME = "conv3d"
SPATIAL = 3
TITLE = "Conv3D (3-D convolution)"
ID_PREFIX = "conv3d-"
OUTPUT_PADDING = False
REFERENCE = "reference_impl.conv3d"
TORCH_W_AXES = torch_w_axes(SPATIAL)
config = nd_config
output_shape = conv_output_shape
grid_cases = grid_cases_of(NAME)
fuzz_cases = fuzz_cases_of(NAME)
