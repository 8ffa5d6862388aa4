"""Entries that no product reaches: values the geometry alone fixes, checked exactly.

Under a case's stride, padding and dilation some entries receive no term of the sum at all:

- dW: kernel taps whose every product falls outside the output (cropped by the padding, or
  past the input): the exact value is 0;
- dX: input rows or columns that reach no output (a stride larger than the dilated kernel, or
  a crop that removes everything they touch): the exact value is 0;
- Y: output rows or columns no input reaches (gaps between strided, dilated taps): Z is the
  bias exactly (0 without one), so Y is the activation of the bias.

Whatever order an implementation sums in, on whatever processor, a sum of no products is
exactly 0, so the `reach:dX` and `reach:dW` checks hold those entries to exactly 0 and
`reach:Y` holds Y to activation(b) within the activation's own rounding (the element bound of
Y, as the torch check uses it: the case dtype's plus float64's, for the float64 activation(b)
it is compared with).  Implementations that do not sum products (FFT or Winograd convolutions)
fall outside the element-wise bounds anyway.

A wrong implementation that puts a value where none can be (a flipped kernel, a padding swap)
fails here on every machine; comparing two of its calls there (the layout checks) would fail
only where the two calls happen to round differently.  So the layout checks leave these
entries to this check (`gradgate.harness.layouts`).

The masks come from the layer kind's exact reach per axis (`reach_of_inputs`,
`reach_of_taps`); the bounds in `gradgate.harness.bounds` are exactly zero on them, which
tests/oracles/test_reach.py checks against the reference maths.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from gradgate.cases.case import Case
from gradgate.harness.comparison import Check, compare

# Why a quantity's unreached entries hold the value they do, for the check's note.
EXACT_VALUE = {
    "Y": "the activation of the bias",
    "dX": "exactly 0",
    "dW": "exactly 0",
}
WHAT_IS_UNREACHED = {
    "Y": "outputs no input reaches",
    "dX": "inputs that reach no output",
    "dW": "kernel taps that reach no output",
}


def axis_reach(case: Case) -> dict[str, list[list[set[int]]]]:
    """The exact reach, per spatial axis, of input positions (`x`) and kernel taps (`w`): for
    each, the output indices it moves on that axis, as the layer kind defines it."""
    kind = case.kind
    out: dict[str, list[list[set[int]]]] = {"x": [], "w": []}
    for i, n_out in enumerate(case.out_size):
        axis = (
            case.size[i],
            case.kernel[i],
            case.stride[i],
            case.dilation[i],
            case.padding[2 * i],
            n_out,
        )
        out["x"].append(kind.reach_of_inputs(*axis))
        out["w"].append(kind.reach_of_taps(*axis))
    return out


def _nonempty(reaches: list[set[int]]) -> np.ndarray:
    return np.array([bool(r) for r in reaches], dtype=bool)


def _outer(vectors: list[np.ndarray]) -> np.ndarray:
    """The product grid of per-axis masks: True where every axis's mask is."""
    grid = vectors[0]
    for v in vectors[1:]:
        grid = np.multiply.outer(grid, v)
    return grid.astype(bool)


@lru_cache(maxsize=4096)
def unreached(case: Case) -> dict[str, np.ndarray]:
    """Masks of the entries no product reaches, broadcastable to Y, dX and dW (only the
    quantities that have any): Y and dX as (1, *spatial, 1), dW as (*kernel, 1, 1)."""
    reach = axis_reach(case)
    y_axes = []
    for reaches, n_out in zip(reach["x"], case.out_size):
        reached = np.zeros(n_out, dtype=bool)
        reached[sorted(set().union(*reaches))] = True
        y_axes.append(reached)
    reached_grids = {
        "Y": _outer(y_axes),
        "dX": _outer([_nonempty(r) for r in reach["x"]]),
        "dW": _outer([_nonempty(r) for r in reach["w"]]),
    }
    masks = {}
    for q, grid in reached_grids.items():
        if not grid.all():
            mask = ~grid
            masks[q] = mask[None, ..., None] if q in ("Y", "dX") else mask[..., None, None]
    return masks


def _exact(
    q: str, shape: tuple[int, ...], exact_y: np.ndarray, bounds: dict[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """The exact value of `q` on unreached entries, and the bound it is held to there."""
    if q == "Y":
        return exact_y, bounds["Y"]
    return np.zeros(shape), np.zeros(shape)


def reach_checks(
    case: Case,
    results: dict[str, np.ndarray],
    exact_y: np.ndarray,
    bounds: dict[str, np.ndarray],
) -> tuple[dict[str, Check], dict[str, np.ndarray]]:
    """`reach:Y`, `reach:dX`, `reach:dW` on the cases that have unreached entries, and per
    quantity the unreached entries off their exact value (what the layout checks leave alone).

    `results` holds the implementation's Y, dX, dW; `exact_y` the float64 activation of the
    exact Z (the bias there); `bounds` the element bounds (zero on unreached dX and dW; Y's
    allowing for the float64 rounding of `exact_y`).
    """
    checks, off = {}, {}
    for q, mask in unreached(case).items():
        got = results[q]
        full = np.broadcast_to(mask, got.shape)
        expected, bound = _exact(q, got.shape, exact_y, bounds)
        check = compare(q, got, expected, bound, full)
        assert check.error_map is not None  # |got - expected| on the mask, 0 elsewhere
        off[q] = full & (check.error_map > bound)
        if not check.passed:
            check.note = (
                f"{int(np.count_nonzero(full))} entries are {WHAT_IS_UNREACHED[q]} under the "
                f"configured stride, padding and dilation: each must be {EXACT_VALUE[q]}"
            )
        checks[f"reach:{q}"] = check
    return checks, off
