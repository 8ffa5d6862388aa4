"""Hyperparameters as users write them (an int, a pair, four sides), normalised and checked.

Shared by every layer kind's config: the rules, and the messages that name the parameter and
its allowed range, are the same for all of them.
"""

from __future__ import annotations

from collections.abc import Sequence

from gradgate.reference_impl.activations import ACTIVATIONS

IntPair = int | tuple[int, ...] | list[int]  # a pair, checked when normalised
IntPerAxis = int | tuple[int, ...] | list[int]
Padding = int | tuple[int, ...] | list[int]
# Per number of spatial axes (as gradgate.cases.axes names them; the reference imports no harness).
AXIS_LABELS = {1: ("length",), 2: ("rows", "cols"), 3: ("depth", "rows", "cols")}
SIDE_NAMES = {
    1: ("left", "right"),
    2: ("top", "bottom", "left", "right"),
    3: ("front", "back", "top", "bottom", "left", "right"),
}
AXES = AXIS_LABELS[2]
SIDES = SIDE_NAMES[2]


def as_int(name: str, value: object) -> int:
    """`value` as an int (numpy integers too); ValueError naming `name` otherwise."""
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            import numpy as np

            if isinstance(value, np.integer):
                return int(value)
        except ImportError:  # pragma: no cover
            pass
        raise ValueError(f"{name} must be an int or a tuple of ints, got {value!r}")
    return value


def pair(name: str, value: IntPair) -> tuple[int, int]:
    """(rows, cols) from an int or a pair."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a (rows, cols) pair, got {value!r}")
        return (as_int(name, value[0]), as_int(name, value[1]))
    v = as_int(name, value)
    return (v, v)


def four_sides(value: Padding) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) from an int, (rows, cols) or four sides."""
    if isinstance(value, str):
        raise ValueError(
            f"padding must be an int, (rows, cols) or (top, bottom, left, right), got {value!r}"
        )
    if isinstance(value, (tuple, list)):
        if len(value) == 2:
            r, c = (as_int("padding", v) for v in value)
            return (r, r, c, c)
        if len(value) == 4:
            t, b, left, right = (as_int("padding", v) for v in value)
            return (t, b, left, right)
        raise ValueError(
            f"padding must be an int, (rows, cols) or (top, bottom, left, right), got {value!r}"
        )
    p = as_int("padding", value)
    return (p, p, p, p)


def per_axis(name: str, value: IntPerAxis, nd: int) -> tuple[int, ...]:
    """One value per spatial axis from an int or a tuple of `nd`."""
    labels = AXIS_LABELS[nd]
    if isinstance(value, (tuple, list)):
        if len(value) != nd:
            raise ValueError(
                f"{name} must be an int or a tuple of {nd} ({', '.join(labels)}), got {value!r}"
            )
        return tuple(as_int(name, v) for v in value)
    return (as_int(name, value),) * nd


def sides(value: Padding, nd: int) -> tuple[int, ...]:
    """(before, after) on each axis in turn, from an int, one value per axis or every side."""
    shapes = f"an int, a tuple of {nd} (per axis) or of {2 * nd} ({', '.join(SIDE_NAMES[nd])})"
    if isinstance(value, str):
        raise ValueError(f"padding must be {shapes}, got {value!r}")
    if isinstance(value, (tuple, list)):
        values = tuple(as_int("padding", v) for v in value)
        if len(values) == 2 * nd:
            return values
        if len(values) == nd:
            return tuple(v for v in values for _ in range(2))
        raise ValueError(f"padding must be {shapes}, got {value!r}")
    p = as_int("padding", value)
    return (p,) * (2 * nd)


def check_geometry(stride: Sequence[int], dilation: Sequence[int], padding: Sequence[int]) -> None:
    """Stride and dilation >= 1 per axis, padding >= 0 per side."""
    nd = len(stride)
    for axis, s in zip(AXIS_LABELS.get(nd, AXES), stride):
        if s < 1:
            raise ValueError(f"stride must be >= 1 on each axis, got {s} on {axis}")
    for axis, d in zip(AXIS_LABELS.get(nd, AXES), dilation):
        if d < 1:
            raise ValueError(f"dilation must be >= 1 on each axis (1 = none), got {d} on {axis}")
    for side, p in zip(SIDE_NAMES.get(nd, SIDES), padding):
        if p < 0:
            raise ValueError(f"padding must be >= 0 on each side, got {p} on {side}")


def check_groups_and_activation(groups: int, activation: str) -> None:
    if groups < 1:
        raise ValueError(f"groups must be >= 1, got {groups}")
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, got {activation!r}")
