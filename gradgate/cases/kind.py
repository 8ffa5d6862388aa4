"""What a layer kind provides: the one description the engine, grids, oracles, bounds and
reports read (see docs/architecture.md, "Adding a layer kind").

A kind is a module; `LayerKind` is its static shape.  Every function takes plain values or a
`gradgate.cases.case.Case`, so the kind never imports the harness.  Heavy dependencies (torch, the
grids, Hypothesis) are imported inside the functions that need them; the torch translation is
data (`TORCH_W_AXES`) and a function of torch tensors (`torch_linear`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import numpy as np
    import torch

    from gradgate.cases.case import Case

Reach = list[set[int]]

# The attributes `gradgate.cases.kinds.layer_kind` checks a kind module for.
REQUIRED: tuple[str, ...] = (
    "NAME",
    "TITLE",
    "SPATIAL",
    "ID_PREFIX",
    "OUTPUT_PADDING",
    "REFERENCE",
    "config",
    "output_shape",
    "w_shape",
    "linear_forward",
    "linear_backward",
    "reach_of_inputs",
    "reach_of_taps",
    "w_canonical",
    "w_from_canonical",
    "dw_terms",
    "TORCH_W_AXES",
    "torch_linear",
    "grid_cases",
    "fuzz_cases",
)


class LayerKind(Protocol):
    NAME: str  # the --layer value, "conv2d"
    TITLE: str  # how reports name it, "Conv2D (2-D convolution)"
    SPATIAL: int  # the number of spatial axes, 1 to 3 (`gradgate.cases.axes` names them)
    ID_PREFIX: str  # "" for Deconv2D (ids unchanged), "conv2d-" otherwise
    OUTPUT_PADDING: bool  # whether cases carry an output padding (else it must be zeros)
    REFERENCE: str  # the implementation gated when no --impl is given
    # W's axes in torch's weight layout: torch_W = W.transpose(TORCH_W_AXES)
    TORCH_W_AXES: tuple[int, ...]

    @staticmethod
    def config(case: Case) -> Any:
        """The read-only cfg the implementation receives for a case."""

    @staticmethod
    def output_shape(
        x_shape: tuple[int, ...], w_shape: tuple[int, ...], cfg: Any
    ) -> tuple[int, ...]:
        """(n, *out_size, out_ch); ValueError saying why when the shapes do not fit."""

    @staticmethod
    def w_shape(case: Case) -> tuple[int, ...]:
        """W's shape in the contract's layout."""

    @staticmethod
    def linear_forward(X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any) -> np.ndarray:
        """Z without the activation (the reference; the bounds run it on |X|, |W| in float64)."""

    @staticmethod
    def linear_backward(
        dZ: np.ndarray, X: np.ndarray, W: np.ndarray, cfg: Any, with_bias: bool
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """(dX, dW, db) of sum(dZ * Z)."""

    @staticmethod
    def reach_of_inputs(n_in: int, k: int, s: int, d: int, before: int, n_out: int) -> Reach:
        """On one axis: for each input index, the output indices it moves."""

    @staticmethod
    def reach_of_taps(n_in: int, k: int, s: int, d: int, before: int, n_out: int) -> Reach:
        """On one axis: for each kernel tap, the output indices it moves."""

    @staticmethod
    def w_canonical(W: np.ndarray, groups: int) -> np.ndarray:
        """W as (*kernel, in_ch, out_ch // groups), group-major in_ch (the fd oracle's layout)."""

    @staticmethod
    def w_from_canonical(Wc: np.ndarray, groups: int) -> np.ndarray:
        """The inverse of `w_canonical`."""

    @staticmethod
    def dw_terms(case: Case) -> int:
        """How many products one element of dW sums, at most."""

    @staticmethod
    def torch_linear(
        X: torch.Tensor, W: torch.Tensor, b: torch.Tensor | None, cfg: Any
    ) -> torch.Tensor:
        """Z (channels-first, no activation) from X channels-first and W in torch's layout, by
        torch's own op."""

    @staticmethod
    def grid_cases(grid: str, dtypes: Sequence[str]) -> list[Case]:
        """The cases of a named grid (smoke, default, full), in a fixed order."""

    @staticmethod
    def fuzz_cases(dtypes: tuple[str, ...]) -> Any:
        """A Hypothesis strategy of valid, small cases."""
