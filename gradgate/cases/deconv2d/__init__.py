"""Deconv2D, the transposed 2-D convolution (PyTorch ConvTranspose2d semantics).

This module is the description the engine reads (`gradgate.cases.kind`); the maths are
`gradgate.reference_impl.deconv2d`, the grids `grid.py` (with the realistic tier, `realistic.py`)
and the fuzz strategy `fuzz.py` beside it.  Torch's ConvTranspose2d has symmetric padding only: the
asymmetric (top, bottom, left, right) crop is applied to its padding-free output.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from gradgate.reference_impl.deconv2d.config import DeconvConfig, make_config
from gradgate.reference_impl.deconv2d.config import output_shape as output_shape
from gradgate.reference_impl.deconv2d.maths import linear_backward as linear_backward
from gradgate.reference_impl.deconv2d.maths import linear_forward as linear_forward

if TYPE_CHECKING:
    import torch

    from gradgate.cases.case import Case

NAME = "deconv2d"
SPATIAL = 2
TITLE = "Deconv2D (transposed 2-D convolution)"
ID_PREFIX = ""
OUTPUT_PADDING = True
REFERENCE = "reference_impl"
TORCH_W_AXES = (2, 3, 0, 1)  # (kh, kw, in, out // g) -> torch's (in, out // g, kh, kw)


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


def w_shape(case: Case) -> tuple[int, ...]:
    return (*case.kernel, case.in_ch, case.out_ch // case.groups)


def reach_of_inputs(n_in: int, k: int, s: int, d: int, before: int, n_out: int) -> list[set[int]]:
    """For each input index i, the outputs it reaches (i*s + a*d - before, inside the crop)."""
    return [{i * s + a * d - before for a in range(k)} & set(range(n_out)) for i in range(n_in)]


def reach_of_taps(n_in: int, k: int, s: int, d: int, before: int, n_out: int) -> list[set[int]]:
    """For each kernel tap a, the outputs it reaches (i*s + a*d - before, inside the crop)."""
    return [{i * s + a * d - before for i in range(n_in)} & set(range(n_out)) for a in range(k)]


def w_canonical(W: np.ndarray, groups: int) -> np.ndarray:
    return W  # (kh, kw, in_ch, out_ch // groups) already


def w_from_canonical(Wc: np.ndarray, groups: int) -> np.ndarray:
    return Wc


def dw_terms(case: Case) -> int:
    return case.batch * math.prod(case.size)


def torch_linear(
    X: torch.Tensor, W: torch.Tensor, b: torch.Tensor | None, cfg: DeconvConfig
) -> torch.Tensor:
    import torch.nn.functional as F

    z = F.conv_transpose2d(
        X,
        W,
        b,
        stride=cfg.stride,
        padding=0,
        output_padding=cfg.output_padding,
        groups=cfg.groups,
        dilation=cfg.dilation,
    )
    top, bottom, left, right = cfg.padding
    return z[:, :, top : z.shape[2] - bottom, left : z.shape[3] - right]


def grid_cases(grid: str, dtypes: Sequence[str]) -> list[Case]:
    from gradgate.cases.deconv2d.grid import grid_cases as cases

    return cases(grid, dtypes)


def fuzz_cases(dtypes: tuple[str, ...]) -> Any:
    from gradgate.cases.deconv2d.fuzz import valid_cases

    return valid_cases(dtypes=dtypes)
