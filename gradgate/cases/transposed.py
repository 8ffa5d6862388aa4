"""What every transposed convolution kind (Deconv1D, Deconv2D, Deconv3D) describes the same way,
over any number of spatial axes: the weight layout, the reach of inputs and taps, the torch op.
Each kind's package (`gradgate.cases.deconv2d`, ...) takes these and adds its name, its grids
and its cfg.

Contract: X (n, *size, in_ch), W (*kernel, in_ch, out_ch // groups), b (out_ch,); padding
(before, after) per axis, cropped from the full output; output padding per axis.
"""

from __future__ import annotations

import dataclasses
import math
from typing import TYPE_CHECKING, Any

import numpy as np

from gradgate.reference_impl.nd.config import DeconvNdConfig, make_deconv_config

if TYPE_CHECKING:
    import torch

    from gradgate.cases.case import Case


def torch_w_axes(spatial: int) -> tuple[int, ...]:
    """(*kernel, in, out // g) -> torch's (in, out // g, *kernel)."""
    return (spatial, spatial + 1, *range(spatial))


def nd_config(case: Case) -> DeconvNdConfig:
    """The cfg of a 1-D or 3-D case (the 2-D kind keeps its own `DeconvConfig`)."""
    return dataclasses.replace(
        make_deconv_config(
            case.spatial,
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
    return W  # (*kernel, in_ch, out_ch // groups) already


def w_from_canonical(Wc: np.ndarray, groups: int) -> np.ndarray:
    return Wc


def dw_terms(case: Case) -> int:
    return case.batch * math.prod(case.size)


def torch_linear(
    X: torch.Tensor, W: torch.Tensor, b: torch.Tensor | None, cfg: Any
) -> torch.Tensor:
    """torch's conv_transpose1d/2d/3d without padding, then the asymmetric crop."""
    import torch.nn.functional as F

    nd = X.dim() - 2
    conv = (F.conv_transpose1d, F.conv_transpose2d, F.conv_transpose3d)[nd - 1]
    z = conv(
        X,
        W,
        b,
        stride=tuple(cfg.stride),
        padding=0,
        output_padding=tuple(cfg.output_padding),
        groups=cfg.groups,
        dilation=tuple(cfg.dilation),
    )
    crop = tuple(
        slice(cfg.padding[2 * i], z.shape[2 + i] - cfg.padding[2 * i + 1]) for i in range(nd)
    )
    return z[(slice(None), slice(None), *crop)]


# What a kind's description takes from this family (`from gradgate.cases.FAMILY import *`).
__all__ = [
    "dw_terms",
    "reach_of_inputs",
    "reach_of_taps",
    "torch_linear",
    "torch_w_axes",
    "w_canonical",
    "w_from_canonical",
    "w_shape",
]
