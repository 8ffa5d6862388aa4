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
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from gradgate.reference_impl.conv2d.config import Conv2DConfig, make_conv2d_config
from gradgate.reference_impl.conv2d.config import conv2d_output_shape as output_shape
from gradgate.reference_impl.conv2d.maths import linear_backward as linear_backward
from gradgate.reference_impl.conv2d.maths import linear_forward as linear_forward

if TYPE_CHECKING:
    import torch

    from gradgate.cases.case import Case

NAME = "conv2d"
SPATIAL = 2
TITLE = "Conv2D (2-D convolution)"
ID_PREFIX = "conv2d-"
OUTPUT_PADDING = False
REFERENCE = "reference_impl.conv2d"
TORCH_W_AXES = (3, 2, 0, 1)  # (kh, kw, in // g, out) -> torch's (out, in // g, kh, kw)

__all__ = ["linear_backward", "linear_forward", "output_shape"]


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


def w_shape(case: Case) -> tuple[int, ...]:
    return (*case.kernel, case.in_ch // case.groups, case.out_ch)


def reach_of_inputs(n_in: int, k: int, s: int, d: int, before: int, n_out: int) -> list[set[int]]:
    """For each input index i, the outputs o that read it: o*s + a*d - before == i for a tap a."""
    out: list[set[int]] = [set() for _ in range(n_in)]
    for o in range(n_out):
        for a in range(k):
            i = o * s + a * d - before
            if 0 <= i < n_in:
                out[i].add(o)
    return out


def reach_of_taps(n_in: int, k: int, s: int, d: int, before: int, n_out: int) -> list[set[int]]:
    """For each kernel tap a, the outputs whose window puts it on the input, not the padding."""
    return [{o for o in range(n_out) if 0 <= o * s + a * d - before < n_in} for a in range(k)]


def w_canonical(W: np.ndarray, groups: int) -> np.ndarray:
    """(kh, kw, in_ch // g, out_ch) -> (kh, kw, in_ch, out_ch // g), both group-major."""
    kh, kw, cig, out_ch = W.shape
    g = groups
    return (
        W.reshape(kh, kw, cig, g, out_ch // g)
        .transpose(0, 1, 3, 2, 4)
        .reshape(kh, kw, -1, out_ch // g)
    )


def w_from_canonical(Wc: np.ndarray, groups: int) -> np.ndarray:
    kh, kw, in_ch, cog = Wc.shape
    g = groups
    return (
        Wc.reshape(kh, kw, g, in_ch // g, cog).transpose(0, 1, 3, 2, 4).reshape(kh, kw, -1, g * cog)
    )


def dw_terms(case: Case) -> int:
    return case.batch * math.prod(case.out_size)


def torch_linear(
    X: torch.Tensor, W: torch.Tensor, b: torch.Tensor | None, cfg: Conv2DConfig
) -> torch.Tensor:
    import torch.nn.functional as F

    top, bottom, left, right = cfg.padding
    if any(cfg.padding):
        X = F.pad(X, (left, right, top, bottom))
    return F.conv2d(
        X, W, b, stride=tuple(cfg.stride), dilation=tuple(cfg.dilation), groups=cfg.groups
    )


def grid_cases(grid: str, dtypes: Sequence[str]) -> list[Case]:
    from gradgate.cases.conv2d.grid import grid_cases as cases

    return cases(grid, dtypes)


def fuzz_cases(dtypes: tuple[str, ...]) -> Any:
    from gradgate.cases.conv2d.fuzz import valid_cases

    return valid_cases(dtypes=dtypes)
