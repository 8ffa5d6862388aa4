"""What every layer kind's grids share: covering rows read into cases, and a named grid put
together from its tiers, in a fixed order (`gradgate/cases/deconv2d/grid.py` for Deconv2D,
`gradgate/cases/conv2d/grid.py` for Conv2D).

A row assigns levels to factors named as in those modules: `groups` is "1", "2" or
"depthwise", padding is `pad_h` / `pad_w` as (before, after), and the per-axis factors end in
`_h` / `_w`.  Pure functions: no randomness, no set iteration.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import cast

from gradgate.cases.axes import letters
from gradgate.cases.case import DTYPES, Case
from gradgate.cases.covering import Row
from gradgate.cases.kinds import layer_kind

GRIDS: tuple[str, ...] = ("smoke", "default", "full")
# How many pairwise rows `smoke` takes after the edge cases.
SMOKE_PAIRWISE = 7


def groups_of(row: Row) -> int | None:
    """The group count a row's `groups` level means, None while it depends on an unset in_ch."""
    kind, in_ch = row.get("groups"), row.get("in_ch")
    if kind == "1":
        return 1
    if kind == "2":
        return 2
    return in_ch if isinstance(in_ch, int) else None


def int_level(row: Row, name: str) -> int | None:
    value = row.get(name)
    return value if isinstance(value, int) else None


def channels_violate(row: Row) -> bool:
    """Depthwise needs two input channels or more; the groups must divide both channel counts."""
    in_ch, out_ch, g = row.get("in_ch"), row.get("out_ch"), groups_of(row)
    if row.get("groups") == "depthwise" and isinstance(in_ch, int) and in_ch < 2:
        return True
    if g is None:
        return False
    return (isinstance(in_ch, int) and in_ch % g != 0) or (
        isinstance(out_ch, int) and out_ch % g != 0
    )


def case_from_row(row: Row, dtype: str, layer: str) -> Case:
    """The case a complete row stands for (output padding 0 where the row has none)."""
    g = groups_of(row)
    assert g is not None
    axes = letters(layer_kind(layer).SPATIAL)

    def per_axis(name: str, default: int | None = None) -> tuple[int, ...]:
        return tuple(int(row.get(name.format(a), default)) for a in axes)  # type: ignore[call-overload]

    pads = [row[f"pad_{a}"] for a in axes]
    return Case(
        batch=row["batch"],  # type: ignore[arg-type]
        in_ch=row["in_ch"],  # type: ignore[arg-type]
        out_ch=row["out_ch"],  # type: ignore[arg-type]
        groups=g,
        size=per_axis("in_{}"),
        kernel=per_axis("k{}"),
        stride=per_axis("stride_{}"),
        padding=tuple(int(side) for pad in pads for side in cast(tuple[int, int], pad)),
        dilation=per_axis("dilation_{}"),
        output_padding=per_axis("output_padding_{}", 0),
        bias=row["bias"],  # type: ignore[arg-type]
        activation=row["activation"],  # type: ignore[arg-type]
        dtype=dtype,
        layer=layer,
    )


@dataclass(frozen=True)
class Tiers:
    """A layer kind's float64 configurations, tier by tier; `full`'s tiers are built on demand."""

    edges: Sequence[Case]
    pairwise: Callable[[], Sequence[Case]]
    realistic_default: Sequence[Case]
    realistic_full: Sequence[Case]
    triples: Callable[[], Sequence[Case]]
    exhaustive: Callable[[], Sequence[Case]]


def assemble(grid: str, dtypes: Sequence[str], tiers: Tiers) -> list[Case]:
    """The cases of a named grid in the given dtypes, in a fixed order, each id once.

    smoke: the edge cases and the first pairwise rows; default: the edge cases, every pairwise
    row and the default realistic tier; full: those, the rest of the realistic tier, the
    triple covering and the exhaustive product.
    """
    if grid not in GRIDS:
        raise ValueError(f"grid must be one of {', '.join(GRIDS)}, got {grid!r}")
    for dt in dtypes:
        if dt not in DTYPES:
            raise ValueError(f"dtype must be one of {', '.join(DTYPES)}, got {dt!r}")
    configs = list(tiers.edges)
    if grid == "smoke":
        configs += list(tiers.pairwise()[:SMOKE_PAIRWISE])
    else:
        configs += list(tiers.pairwise()) + list(tiers.realistic_default)
    if grid == "full":
        configs += list(tiers.realistic_full) + list(tiers.triples()) + list(tiers.exhaustive())
    seen: dict[str, Case] = {}
    for c in (c.with_dtype(dt) for c in configs for dt in dtypes):
        seen.setdefault(c.id, c)
    return list(seen.values())
