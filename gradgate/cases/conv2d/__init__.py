"""Conv2D, the ordinary 2-D convolution (PyTorch Conv2d semantics, channels-last).

This module describes the kind to the engine (`gradgate.cases.kind`); the maths and the cfg are
`gradgate.reference_impl.conv2d`, the factors and grids `grid.py` (with the realistic tier,
`realistic.py`) and the fuzz strategy `fuzz.py` beside it.  Torch's conv2d has symmetric padding
only: the asymmetric (top, bottom, left, right) padding is added to its input with `F.pad`.

Contract (docs/contract.md): X (n, in_h, in_w, in_ch), W (kh, kw, in_ch //
groups, out_ch), b (out_ch,), padding (top, bottom, left, right) zeros added to the input.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from gradgate.cases.direct import *  # noqa: F403  (the family's functions)
from gradgate.cases.direct import torch_w_axes
from gradgate.reference_impl.conv2d.config import (
    Conv2DConfig,
    conv2d_output_shape,
    make_conv2d_config,
)
from gradgate.reference_impl.conv2d.maths import linear_backward as linear_backward
from gradgate.reference_impl.conv2d.maths import linear_forward as linear_forward

if TYPE_CHECKING:
    from gradgate.cases.case import Case

NAME = "conv2d"
SPATIAL = 2
TITLE = "Conv2D (2-D convolution)"
ID_PREFIX = "conv2d-"
OUTPUT_PADDING = False
REFERENCE = "reference_impl.conv2d"
TORCH_W_AXES = torch_w_axes(SPATIAL)
output_shape = conv2d_output_shape  # (kh, kw, in // g, out) -> torch's (out, in // g, kh, kw)


def config(case: Case) -> Conv2DConfig:
    return dataclasses.replace(
        make_conv2d_config(
            stride=case.stride,
            padding=case.padding,
            dilation=case.dilation,
            groups=case.groups,
            activation=case.activation,
        ),
        input_precision=case.precision.inputs,
        accumulate=case.precision.accumulate,
        dtype=case.dtype,
    )


def grid_cases(grid: str, dtypes: Sequence[str]) -> list[Case]:
    from gradgate.cases.conv2d.grid import grid_cases as cases

    return cases(grid, dtypes)


def fuzz_cases(dtypes: tuple[str, ...]) -> Any:
    from gradgate.cases.conv2d.fuzz import valid_cases

    return valid_cases(dtypes=dtypes)
