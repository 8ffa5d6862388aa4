"""Deconv2D, the transposed 2-D convolution (PyTorch ConvTranspose2d semantics).

This module is the description the engine reads (`gradgate.cases.kind`); the maths are
`gradgate.reference_impl.deconv2d`, the grids `grid.py` (with the realistic tier, `realistic.py`)
and the fuzz strategy `fuzz.py` beside it.  Torch's ConvTranspose2d has symmetric padding only: the
asymmetric (top, bottom, left, right) crop is applied to its padding-free output.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from gradgate.cases.transposed import *  # noqa: F403  (the family's functions)
from gradgate.cases.transposed import torch_w_axes
from gradgate.reference_impl.deconv2d.config import DeconvConfig, make_config
from gradgate.reference_impl.deconv2d.config import output_shape as output_shape
from gradgate.reference_impl.deconv2d.maths import linear_backward as linear_backward
from gradgate.reference_impl.deconv2d.maths import linear_forward as linear_forward

if TYPE_CHECKING:
    from gradgate.cases.case import Case

NAME = "deconv2d"
SPATIAL = 2
TITLE = "Deconv2D (transposed 2-D convolution)"
ID_PREFIX = ""
OUTPUT_PADDING = True
REFERENCE = "reference_impl"
TORCH_W_AXES = torch_w_axes(SPATIAL)  # (kh, kw, in, out // g) -> torch's (in, out // g, kh, kw)


def config(case: Case) -> DeconvConfig:
    return dataclasses.replace(
        make_config(
            stride=case.stride,
            padding=case.padding,
            dilation=case.dilation,
            output_padding=case.output_padding,
            groups=case.groups,
            activation=case.activation,
        ),
        input_precision=case.precision.inputs,
        accumulate=case.precision.accumulate,
        dtype=case.dtype,
    )


def grid_cases(grid: str, dtypes: Sequence[str]) -> list[Case]:
    from gradgate.cases.deconv2d.grid import grid_cases as cases

    return cases(grid, dtypes)


def fuzz_cases(dtypes: tuple[str, ...]) -> Any:
    from gradgate.cases.deconv2d.fuzz import valid_cases

    return valid_cases(dtypes=dtypes)
