"""How the spatial axes of a layer kind are named: one table for 1, 2 and 3 axes.

A kind's number of spatial axes (`SPATIAL`) is all that tells a 1-D layer from a 3-D one in the
cases, the oracles, the bounds and the reports: every per-axis value is a tuple with one entry
per axis (padding two, before and after), and these names are how ids, report configs, factor
levels and messages spell them.  The 2-D names are the contract's (`in_h`, `kw`, `stride_h`,
top/bottom/left/right).
"""

from __future__ import annotations

# The letter of each axis, as in `in_h`, `kw`, `stride_h` (1-D: a length; 3-D: depth first).
LETTERS: dict[int, tuple[str, ...]] = {1: ("l",), 2: ("h", "w"), 3: ("d", "h", "w")}
# How messages name each axis.
LABELS: dict[int, tuple[str, ...]] = {
    1: ("length",),
    2: ("rows", "cols"),
    3: ("depth", "rows", "cols"),
}
# One index along each axis, in words.
SINGULAR: dict[int, tuple[str, ...]] = {
    1: ("position",),
    2: ("row", "col"),
    3: ("depth", "row", "col"),
}
# How an element's index reads per axis in a message.
INDEX_NAMES: dict[int, tuple[str, ...]] = {1: ("pos",), 2: ("row", "col"), 3: ("dep", "row", "col")}
# The padding's sides, before and after on each axis in turn.
SIDES: dict[int, tuple[str, ...]] = {
    1: ("left", "right"),
    2: ("top", "bottom", "left", "right"),
    3: ("front", "back", "top", "bottom", "left", "right"),
}
SPATIAL_AXES: tuple[int, ...] = tuple(LETTERS)


def check_spatial(nd: int) -> int:
    if nd not in LETTERS:
        raise ValueError(f"the number of spatial axes must be 1, 2 or 3, got {nd}")
    return nd


def letters(nd: int) -> tuple[str, ...]:
    return LETTERS[check_spatial(nd)]


def size_fields(nd: int) -> tuple[str, ...]:
    """The report config's input size fields: ("in_h", "in_w") in 2-D."""
    return tuple(f"in_{a}" for a in letters(nd))


def kernel_fields(nd: int) -> tuple[str, ...]:
    """The report config's kernel size fields: ("kh", "kw") in 2-D."""
    return tuple(f"k{a}" for a in letters(nd))


def spatial_of_config(config: dict[str, object] | object) -> int:
    """The number of spatial axes of a report config (from its kernel fields)."""
    keys = config.keys() if hasattr(config, "keys") else ()
    for nd in (3, 2, 1):
        if all(k in keys for k in kernel_fields(nd)):
            return nd
    raise KeyError("a report config names its kernel size per axis (kh, kw, ...)")


def index_names(quantity: str, ndim: int) -> tuple[str, ...]:
    """How an index of Y, dX, dW (ndim dims, spatial ones and two more) or db reads; the
    second order's gW and gb read as dW and db."""
    quantity = {"gW": "dW", "gb": "db"}.get(quantity, quantity)
    if quantity == "db":
        return ("ch",)
    nd = ndim - 2
    if nd not in LETTERS:
        return ()
    if quantity == "dW":
        return (*kernel_fields(nd), "in", "out")
    return ("n", *INDEX_NAMES[nd], "ch")


def channels_first(ndim: int) -> tuple[int, ...]:
    """The axes that take an array (n, *spatial, c) to torch's (n, c, *spatial)."""
    return (0, ndim - 1, *range(1, ndim - 1))


def channels_last(ndim: int) -> tuple[int, ...]:
    """The axes that take (n, c, *spatial) back to (n, *spatial, c)."""
    return (0, *range(2, ndim), 1)
