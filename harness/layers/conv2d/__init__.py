"""Conv2D, the ordinary 2-D convolution (PyTorch Conv2d semantics, channels-last).

The second layer kind, and the example of what a kind is: everything Conv2D-specific is in
this package (`reference.py` the maths, `config.py` its cfg, `torch_oracle.py` its torch
translation, `grid.py` its factors and grids, `fuzz.py` its strategy, `frameworks.py` the
torch adapter) and this module describes it to the engine (`harness.layers.kind`).

Contract (docs/contract.md): X (n, in_h, in_w, in_ch), W (kh, kw, in_ch //
groups, out_ch), b (out_ch,), padding (top, bottom, left, right) zeros added to the input.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from harness.layers.conv2d.config import Conv2DConfig, make_conv2d_config
from harness.layers.conv2d.config import conv2d_output_shape as output_shape
from harness.layers.conv2d.reference import linear_backward as linear_backward
from harness.layers.conv2d.reference import linear_forward as linear_forward

if TYPE_CHECKING:
    from cases.case import Case
    from harness.data import CaseData

NAME = "conv2d"
TITLE = "Conv2D (2-D convolution)"
ID_PREFIX = "conv2d-"
OUTPUT_PADDING = False
REFERENCE = "harness.layers.conv2d.reference"
FRAMEWORKS = {"torch": "harness.layers.conv2d.frameworks"}

__all__ = ["linear_backward", "linear_forward", "output_shape"]


def config(case: Case) -> Conv2DConfig:
    return make_conv2d_config(
        stride=case.stride,
        padding=case.padding,
        dilation=case.dilation,
        groups=case.groups,
        activation=case.activation,
    )


def w_shape(case: Case) -> tuple[int, int, int, int]:
    return (case.kh, case.kw, case.in_ch // case.groups, case.out_ch)


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
    _, out_h, out_w, _ = case.y_shape
    return case.batch * out_h * out_w


def torch_results(case: Case, data: CaseData) -> dict[str, np.ndarray]:
    from harness.layers.conv2d.torch_oracle import torch_conv2d_results

    return torch_conv2d_results(data.X, data.W, data.b, data.dY, case.cfg)


def grid_cases(grid: str, dtypes: Sequence[str]) -> list[Case]:
    from harness.layers.conv2d.grid import grid_cases as cases

    return cases(grid, dtypes)


def fuzz_cases(dtypes: tuple[str, ...]) -> Any:
    from harness.layers.conv2d.fuzz import valid_cases

    return valid_cases(dtypes=dtypes)
