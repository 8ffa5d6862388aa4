"""What every ordinary convolution kind (Conv1D, Conv2D, Conv3D) describes the same way, over
any number of spatial axes: the weight layout, the reach of inputs and taps, the canonical
weights, the torch op.  Each kind's package (`gradgate.cases.conv2d`, ...) takes these and adds
its name, its grids and its cfg.

Contract: X (n, *size, in_ch), W (*kernel, in_ch // groups, out_ch), b (out_ch,); padding
(before, after) per axis, zeros added around the input.
"""

from __future__ import annotations

import dataclasses
import math
from typing import TYPE_CHECKING, Any

import numpy as np

from gradgate.reference_impl.nd.config import ConvNdConfig, make_conv_config

if TYPE_CHECKING:
    import torch

    from gradgate.cases.case import Case


def torch_w_axes(spatial: int) -> tuple[int, ...]:
    """(*kernel, in // g, out) -> torch's (out, in // g, *kernel)."""
    return (spatial + 1, spatial, *range(spatial))


def nd_config(case: Case) -> ConvNdConfig:
    """The cfg of a 1-D or 3-D case (the 2-D kind keeps its own `Conv2DConfig`)."""
    return dataclasses.replace(
        make_conv_config(
            case.spatial,
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
    """(*kernel, in_ch // g, out_ch) -> (*kernel, in_ch, out_ch // g), both group-major."""
    *kernel, cig, out_ch = W.shape
    nd, g = len(kernel), groups
    split = W.reshape(*kernel, cig, g, out_ch // g)
    return split.transpose(*range(nd), nd + 1, nd, nd + 2).reshape(*kernel, -1, out_ch // g)


def w_from_canonical(Wc: np.ndarray, groups: int) -> np.ndarray:
    *kernel, in_ch, cog = Wc.shape
    nd, g = len(kernel), groups
    split = Wc.reshape(*kernel, g, in_ch // g, cog)
    return split.transpose(*range(nd), nd + 1, nd, nd + 2).reshape(*kernel, -1, g * cog)


def dw_terms(case: Case) -> int:
    return case.batch * math.prod(case.out_size)


def torch_linear(
    X: torch.Tensor, W: torch.Tensor, b: torch.Tensor | None, cfg: Any
) -> torch.Tensor:
    """torch's conv1d/2d/3d on the input padded with `F.pad` (torch's own padding is symmetric)."""
    import torch.nn.functional as F

    nd = X.dim() - 2
    if any(cfg.padding):
        pads = [p for i in reversed(range(nd)) for p in cfg.padding[2 * i : 2 * i + 2]]
        X = F.pad(X, pads)
    conv = (F.conv1d, F.conv2d, F.conv3d)[nd - 1]
    return conv(X, W, b, stride=tuple(cfg.stride), dilation=tuple(cfg.dilation), groups=cfg.groups)


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
