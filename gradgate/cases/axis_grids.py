"""The grids of a kind built from its number of spatial axes: factors per axis, their
constraints, the pairwise covering, the core triples and a bounded exhaustive product.

The 1-D and 3-D kinds (`gradgate/cases/conv1d/`, `deconv1d/`, `conv3d/`, `deconv3d/`) each give
their per-axis levels, edge cases and realistic tier and get the same tiers, with the same
promises, as Deconv2D's and Conv2D's hand-written grids (`gradgate/cases/deconv2d/grid.py`):
every feasible pair of factor levels, every feasible triple of the core factors, named edge
cases, layers of real networks just past the block sizes.  Factor names follow
`gradgate.cases.axes` (`stride_d`, `kh`, `in_l`, `pad_w`).  Pure functions of the code: no
randomness, no set iteration.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import product

from gradgate.cases.assembly import Tiers, case_from_row, channels_violate, int_level
from gradgate.cases.axes import letters
from gradgate.cases.case import Case, parse_case_id
from gradgate.cases.covering import Factors, Row, covering_rows, pairwise_rows
from gradgate.cases.kinds import layer_kind
from gradgate.reference_impl.activations import ACTIVATIONS


@dataclass(frozen=True)
class AxisLevels:
    """One spatial axis's factor levels in the pairwise covering."""

    pad: tuple[tuple[int, int], ...]  # (before, after)
    stride: tuple[int, ...]
    dilation: tuple[int, ...]
    k: tuple[int, ...]
    size: tuple[int, ...]  # the input's
    output_padding: tuple[int, ...] = (0, 1, 2)  # read by transposed kinds only


# The per-axis levels of the pairwise covering, one set per number of axes, shared by the
# ordinary and the transposed kind (an ordinary one ignores `output_padding`).
AXES_1D: tuple[AxisLevels, ...] = (
    AxisLevels(
        pad=((0, 0), (1, 1), (0, 2), (2, 1), (3, 3)),
        stride=(1, 2, 3),
        dilation=(1, 2, 3),
        k=(1, 2, 3, 5),
        size=(1, 3, 6),
    ),
)
AXES_3D: tuple[AxisLevels, ...] = (
    AxisLevels(
        pad=((0, 0), (1, 1), (0, 2), (2, 1)),
        stride=(1, 2, 3),
        dilation=(1, 2),
        k=(1, 2, 3),
        size=(1, 2, 4),
    ),
    AxisLevels(
        pad=((0, 0), (1, 1), (2, 0), (1, 2)),
        stride=(1, 2),
        dilation=(1, 2, 3),
        k=(1, 3),
        size=(1, 3),
    ),
    AxisLevels(
        pad=((0, 0), (1, 1), (0, 2), (3, 3)),
        stride=(1, 2),
        dilation=(1, 2),
        k=(1, 2, 4),
        size=(1, 2, 5),
        output_padding=(0, 1),
    ),
)

CHANNEL_FACTORS: Factors = (
    ("out_ch", (1, 2, 4, 6)),
    ("in_ch", (1, 2, 3, 4)),
    ("groups", ("1", "2", "depthwise")),
)


def factors(layer: str, axes: Sequence[AxisLevels]) -> Factors:
    """Every factor with its levels, in the order the 2-D grids use (the covering's order)."""
    names = letters(len(axes))
    per_axis = ["stride", "dilation"]
    if layer_kind(layer).OUTPUT_PADDING:
        per_axis.append("output_padding")
    out: list[tuple[str, Sequence[Hashable]]] = [("activation", ACTIVATIONS)]
    out += [(f"pad_{a}", levels.pad) for a, levels in zip(names, axes)]
    out += list(CHANNEL_FACTORS)
    for factor in per_axis:
        out += [(f"{factor}_{a}", getattr(levels, factor)) for a, levels in zip(names, axes)]
    out += [(f"k{a}", levels.k) for a, levels in zip(names, axes)]
    out += [(f"in_{a}", levels.size) for a, levels in zip(names, axes)]
    out += [("batch", (1, 2, 3)), ("bias", (True, False))]
    return tuple(out)


def components(layer: str, spatial: int) -> tuple[tuple[str, ...], ...]:
    """Factors that constrain each other: the channels, and each axis's geometry."""
    extra = ("output_padding",) if layer_kind(layer).OUTPUT_PADDING else ()
    return (
        ("in_ch", "out_ch", "groups"),
        *(
            tuple(f"{f}_{a}" for f in ("stride", "dilation", *extra, "pad")) + (f"k{a}", f"in_{a}")
            for a in letters(spatial)
        ),
    )


def axis_violates(layer: str, row: Row, a: str) -> bool:
    """Whether axis `a`'s assigned levels already break the kind's geometry."""
    s, d = int_level(row, f"stride_{a}"), int_level(row, f"dilation_{a}")
    size, k, pad = int_level(row, f"in_{a}"), int_level(row, f"k{a}"), row.get(f"pad_{a}")
    if layer_kind(layer).OUTPUT_PADDING:
        op = int_level(row, f"output_padding_{a}")
        if s is None or d is None or op is None:
            return False
        if not op < max(s, d):
            return True
        if size is not None and k is not None and isinstance(pad, tuple):
            return (size - 1) * s + d * (k - 1) + 1 + op - int(pad[0]) - int(pad[1]) < 1
        return False
    if d is None or size is None or k is None or not isinstance(pad, tuple):
        return False
    return size + int(pad[0]) + int(pad[1]) < d * (k - 1) + 1


def violation(layer: str, spatial: int) -> Callable[[Row], bool]:
    """True when the assigned factors of a (partial) row already break a constraint."""

    def violates(row: Row) -> bool:
        return channels_violate(row) or any(axis_violates(layer, row, a) for a in letters(spatial))

    return violates


# The core factors whose every triple `full` covers (with dtype); levels apply to every axis.
_CORE_SIDES = {"none": ((0, 0),), "symmetric": ((1, 1),), "asymmetric": ((0, 2), (2, 1), (1, 0))}
_CORE_CHANNELS = {"1": (3, 5, 1), "2": (4, 6, 2), "depthwise": (3, 6, 3)}  # in, out, groups


def core_factors(layer: str) -> Factors:
    out: list[tuple[str, Sequence[Hashable]]] = [
        ("stride", (1, 2, 3)),
        ("padding", ("none", "symmetric", "asymmetric")),
        ("dilation", (1, 2, 3)),
    ]
    if layer_kind(layer).OUTPUT_PADDING:
        out.append(("output_padding", (0, 1, 2)))
    out += [
        ("groups", ("1", "2", "depthwise")),
        ("bias", (True, False)),
        ("activation", ACTIVATIONS),
    ]
    return tuple(out)


def core_violates(row: Row) -> bool:
    """Output padding must stay below max(stride, dilation); the core input holds every kernel."""
    s, d, op = row.get("stride"), row.get("dilation"), row.get("output_padding")
    if isinstance(s, int) and isinstance(d, int) and isinstance(op, int):
        return not op < max(s, d)
    return False


def _padding(kind: str, spatial: int) -> tuple[int, ...]:
    """(before, after) per axis: none, symmetric, or asymmetric differently on each axis."""
    sides = _CORE_SIDES[kind]
    return tuple(side for i in range(spatial) for side in sides[i % len(sides)])


@dataclass(frozen=True)
class AxisGrid:
    """What a 1-D or 3-D kind gives; `tiers()` is its grids."""

    layer: str
    axes: tuple[AxisLevels, ...]  # per-axis factor levels of the pairwise covering
    core_size: tuple[int, ...]  # the core triples' input (holds 3 taps at dilation 3)
    core_kernel: tuple[int, ...]
    exhaustive_size: tuple[int, ...]
    exhaustive_kernels: tuple[int, ...]  # isotropic kernel sizes of the exhaustive product
    edges: tuple[tuple[str, str], ...]  # (name, case id)
    realistic_default: tuple[tuple[str, str], ...]
    realistic_full: tuple[tuple[str, str], ...]

    @property
    def spatial(self) -> int:
        return len(self.axes)

    def pairwise(self) -> tuple[Case, ...]:
        return _pairwise(self)

    def triples(self) -> tuple[Case, ...]:
        return _triples(self)

    def exhaustive(self) -> list[Case]:
        """Every isotropic combination of channel layout, kernel, stride, dilation, padding
        (and output padding) on one input size."""
        nd, transposed = self.spatial, layer_kind(self.layer).OUTPUT_PADDING
        layouts = ((2, 4, 1), (4, 4, 2), (3, 3, 3))
        paddings = ("none", "symmetric", "asymmetric")
        ops = (0, 1) if transposed else (0,)
        combos = product(layouts, self.exhaustive_kernels, (1, 2, 3), (1, 2), paddings, ops)
        out = []
        for i, ((in_ch, out_ch, g), k, s, d, pad, op) in enumerate(combos):
            if not op < max(s, d):
                continue
            try:  # a padding that crops away a small input's whole output is left out
                case = Case(
                    batch=2,
                    in_ch=in_ch,
                    out_ch=out_ch,
                    groups=g,
                    size=self.exhaustive_size,
                    kernel=(k,) * nd,
                    stride=(s,) * nd,
                    padding=_padding(pad, nd),
                    dilation=(d,) * nd,
                    output_padding=(op,) * nd if transposed else (),
                    bias=i % 3 != 2,
                    activation=ACTIVATIONS[i % len(ACTIVATIONS)],
                    dtype="float64",
                    layer=self.layer,
                )
            except ValueError:
                continue
            out.append(case)
        return out

    def tiers(self) -> Tiers:
        def named(pairs: tuple[tuple[str, str], ...]) -> list[Case]:
            return [parse_case_id(case_id) for _, case_id in pairs]

        return Tiers(
            edges=named(self.edges),
            pairwise=self.pairwise,
            realistic_default=named(self.realistic_default),
            realistic_full=named(self.realistic_full),
            triples=self.triples,
            exhaustive=self.exhaustive,
        )


@cache
def _pairwise(grid: AxisGrid) -> tuple[Case, ...]:
    """One float64 case per row of the pairwise covering."""
    rows = pairwise_rows(
        factors(grid.layer, grid.axes),
        violation(grid.layer, grid.spatial),
        components(grid.layer, grid.spatial),
    )
    return tuple(case_from_row(row, "float64", grid.layer) for row in rows)


@cache
def _triples(grid: AxisGrid) -> tuple[Case, ...]:
    """One float64 case per row of a strength-3 covering of the core factors."""
    nd, transposed = grid.spatial, layer_kind(grid.layer).OUTPUT_PADDING
    out = []
    for row in covering_rows(core_factors(grid.layer), core_violates, 3):
        in_ch, out_ch, groups = _CORE_CHANNELS[str(row["groups"])]
        s, d = int(row["stride"]), int(row["dilation"])  # type: ignore[call-overload]
        op = int(row.get("output_padding", 0))  # type: ignore[call-overload]
        out.append(
            Case(
                batch=2,
                in_ch=in_ch,
                out_ch=out_ch,
                groups=groups,
                size=grid.core_size,
                kernel=grid.core_kernel,
                stride=(s,) * nd,
                padding=_padding(str(row["padding"]), nd),
                dilation=(d,) * nd,
                output_padding=(op,) * nd if transposed else (),
                bias=bool(row["bias"]),
                activation=str(row["activation"]),
                dtype="float64",
                layer=grid.layer,
            )
        )
    return tuple(out)


def grid_cases_of(layer: str) -> Callable[[str, Sequence[str]], list[Case]]:
    """A kind's `grid_cases`: the grids of the `GRID` in its package's `grid.py`."""

    def grid_cases(grid: str, dtypes: Sequence[str]) -> list[Case]:
        import importlib

        from gradgate.cases.assembly import assemble

        spec: AxisGrid = importlib.import_module(f"gradgate.cases.{layer}.grid").GRID
        return assemble(grid, dtypes, spec.tiers())

    return grid_cases
