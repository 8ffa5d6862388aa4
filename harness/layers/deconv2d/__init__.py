"""Deconv2D, the transposed 2-D convolution (PyTorch ConvTranspose2d semantics).

The layer kind gradgate started with; its maths, grids and torch translation predate the
seam and live in `reference_impl`, `cases` and `harness.oracles.torch_autograd`.  This module
is the description the engine reads (`harness.layers.kind`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from reference_impl.config import DeconvConfig, make_config
from reference_impl.config import output_shape as output_shape
from reference_impl.conv_transpose import linear_backward as linear_backward
from reference_impl.conv_transpose import linear_forward as linear_forward

if TYPE_CHECKING:
    from cases.case import Case
    from harness.data import CaseData

NAME = "deconv2d"
TITLE = "Deconv2D (transposed 2-D convolution)"
ID_PREFIX = ""
OUTPUT_PADDING = True
REFERENCE = "reference_impl"
FRAMEWORKS = {
    name: f"harness.frameworks.{name}"
    for name in ("jax", "tensorflow", "tinygrad", "paddle", "mlx", "torch")
}


def config(case: Case) -> DeconvConfig:
    return make_config(
        stride=case.stride,
        padding=case.padding,
        dilation=case.dilation,
        output_padding=case.output_padding,
        groups=case.groups,
        activation=case.activation,
    )


def w_shape(case: Case) -> tuple[int, int, int, int]:
    return (case.kh, case.kw, case.in_ch, case.out_ch // case.groups)


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
    return case.batch * case.in_h * case.in_w


def torch_results(case: Case, data: CaseData) -> dict[str, np.ndarray]:
    from harness.oracles.torch_autograd import torch_results as results

    return results(case, data)


def grid_cases(grid: str, dtypes: Sequence[str]) -> list[Case]:
    from cases.grids import grid_cases as cases

    return cases(grid, dtypes)


def fuzz_cases(dtypes: tuple[str, ...]) -> Any:
    from cases.fuzz import valid_cases

    return valid_cases(dtypes=dtypes)
