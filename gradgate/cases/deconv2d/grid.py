"""The named grids: `smoke`, `default` and `full`.

`default` covers every feasible pair of factor levels (see `covering.py`) in each dtype, plus
hand-picked edge cases and a handful of realistic cases (`realistic.py`); `smoke` is a small
slice of it; `full` adds every feasible triple of levels of the core factors (`CORE_FACTORS`,
and dtype), more realistic cases and a bounded exhaustive product of the geometry factors,
meant for pytest-xdist or CI shards.  Everything here is a pure
function of the code: no randomness, no set iteration, the same list on every worker.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from itertools import product

from gradgate.cases.assembly import GRIDS as GRIDS
from gradgate.cases.assembly import Tiers, assemble, case_from_row, channels_violate, int_level
from gradgate.cases.case import DEFAULT_LAYER, Case, parse_case_id
from gradgate.cases.covering import Factors, Row, covering_rows, pairwise_rows
from gradgate.cases.deconv2d.realistic import REALISTIC_DEFAULT, REALISTIC_FULL
from gradgate.cases.dtypes import DEFAULT_DTYPES
from gradgate.reference_impl.activations import ACTIVATIONS

# Each factor with its levels; padding levels are (before, after) on one axis.
FACTORS: Factors = (
    ("activation", ACTIVATIONS),
    ("pad_h", ((0, 0), (1, 1), (0, 2), (2, 1), (3, 3))),
    ("pad_w", ((0, 0), (1, 1), (2, 0), (1, 3), (4, 4))),
    ("out_ch", (1, 2, 4, 6)),
    ("in_ch", (1, 2, 3, 4)),
    ("groups", ("1", "2", "depthwise")),
    ("stride_h", (1, 2, 3)),
    ("stride_w", (1, 2, 3)),
    ("dilation_h", (1, 2, 3)),
    ("dilation_w", (1, 2)),
    ("output_padding_h", (0, 1, 2)),
    ("output_padding_w", (0, 1)),
    ("kh", (1, 2, 3)),
    ("kw", (1, 3, 4)),
    ("in_h", (1, 3, 5)),
    ("in_w", (1, 2, 4)),
    ("batch", (1, 2, 3)),
    ("bias", (True, False)),
)


# Factors that constrain each other; the others (activation, batch, bias) are free.
COMPONENTS: tuple[tuple[str, ...], ...] = (
    ("in_ch", "out_ch", "groups"),
    ("stride_h", "dilation_h", "output_padding_h", "pad_h", "kh", "in_h"),
    ("stride_w", "dilation_w", "output_padding_w", "pad_w", "kw", "in_w"),
)


def violates(row: Row) -> bool:
    """True when the assigned factors of a (partial) row already break a constraint."""
    if channels_violate(row):
        return True
    for axis, k, n in (("h", "kh", "in_h"), ("w", "kw", "in_w")):
        s, d = int_level(row, f"stride_{axis}"), int_level(row, f"dilation_{axis}")
        op, size, kernel = (
            int_level(row, f"output_padding_{axis}"),
            int_level(row, n),
            int_level(row, k),
        )
        pad = row.get(f"pad_{axis}")
        if s is not None and d is not None and op is not None:
            if not op < max(s, d):
                return True
            if size is not None and kernel is not None and isinstance(pad, tuple):
                crop = int(pad[0]) + int(pad[1])
                if (size - 1) * s + d * (kernel - 1) + 1 + op - crop < 1:
                    return True
    return False


# Hand-picked edge cases, each named for what it exercises (ids read as in gradgate/cases/case.py).
EDGE_CASES: tuple[tuple[str, Case], ...] = tuple(
    (name, parse_case_id(case_id))
    for name, case_id in (
        ("1x1 input", "n2-c2x3-g1-i1x1-k3x3-s2x2-p0.0.0.0-d1x1-op0x0-b1-tanh-f64"),
        (
            "kernel larger than the input",
            "n2-c2x3-g1-i2x2-k5x4-s1x2-p1.0.2.1-d1x1-op0x0-b1-relu-f64",
        ),
        (
            "stride larger than the dilated kernel: gaps",
            "n2-c2x3-g1-i3x4-k2x2-s3x4-p0.0.0.0-d1x1-op2x1-b1-identity-f64",
        ),
        (
            "padding crops to one row",
            "n2-c2x3-g1-i3x4-k3x3-s2x1-p3.3.0.1-d1x1-op0x0-b1-sigmoid-f64",
        ),
        (
            "output padding at its maximum",
            "n2-c2x3-g1-i3x4-k3x3-s3x1-p0.0.0.0-d1x3-op2x2-b1-leaky_relu-f64",
        ),
        (
            "non-square everything",
            "n3-c3x6-g3-i4x7-k2x5-s3x1-p0.1.2.3-d2x1-op1x0-b1-leaky_relu-f64",
        ),
        (
            "depthwise, channel multiplier 2",
            "n2-c4x8-g4-i3x4-k3x3-s2x2-p1.1.1.1-d1x1-op0x0-b0-tanh-f64",
        ),
        (
            "padding larger than kernel - 1",
            "n2-c2x3-g1-i5x5-k2x2-s2x2-p3.2.4.1-d1x1-op0x0-b1-relu-f64",
        ),
    )
)


@lru_cache(maxsize=1)
def pairwise_configs() -> tuple[Case, ...]:
    """One float64 case per row of the pairwise covering."""
    return tuple(
        case_from_row(row, "float64", DEFAULT_LAYER)
        for row in pairwise_rows(FACTORS, violates, COMPONENTS)
    )


def full_configs() -> list[Case]:
    """Exhaustive over stride, dilation, kernel, padding, output padding and channel layout."""
    layouts = ((2, 4, 1), (4, 4, 2), (3, 3, 3))  # (in_ch, out_ch, groups)
    kernels = ((1, 1), (2, 3), (3, 3))
    paddings = ((0, 0, 0, 0), (1, 1, 1, 1), (0, 2, 1, 0))
    out: list[Case] = []
    combos = product(layouts, kernels, (1, 2, 3), (1, 2, 3), (1, 2), (1, 2), paddings, (0, 1))
    for i, (layout, k, sh, sw, dh, dw, pad, op) in enumerate(combos):
        if not (op < max(sh, dh) and op < max(sw, dw)):
            continue
        in_ch, out_ch, g = layout
        case = Case(
            batch=2,
            in_ch=in_ch,
            out_ch=out_ch,
            groups=g,
            size=(4, 5),
            kernel=(k[0], k[1]),
            stride=(sh, sw),
            padding=pad,
            dilation=(dh, dw),
            output_padding=(op, op),
            bias=i % 3 != 2,
            activation=ACTIVATIONS[i % len(ACTIVATIONS)],
            dtype="float64",
        )
        out.append(case)
    return out


# The core factors whose every triple of levels `full` covers (with dtype, see `triple_configs`).
# Levels apply to both axes; padding is a kind, made concrete by `_CORE_PADDING`.
CORE_FACTORS: Factors = (
    ("stride", (1, 2, 3)),
    ("padding", ("none", "symmetric", "asymmetric")),
    ("dilation", (1, 2, 3)),
    ("output_padding", (0, 1, 2)),
    ("groups", ("1", "2", "depthwise")),
    ("bias", (True, False)),
    ("activation", ACTIVATIONS),
)
_CORE_PADDING = {"none": (0, 0, 0, 0), "symmetric": (1, 1, 1, 1), "asymmetric": (0, 2, 2, 1)}
_CORE_CHANNELS = {"1": (3, 5, 1), "2": (4, 6, 2), "depthwise": (3, 6, 3)}  # in, out, groups


def core_violates(row: Row) -> bool:
    """Output padding must stay below max(stride, dilation); every other combination is valid."""
    s, d, op = row.get("stride"), row.get("dilation"), row.get("output_padding")
    if isinstance(s, int) and isinstance(d, int) and isinstance(op, int):
        return not op < max(s, d)
    return False


@lru_cache(maxsize=1)
def triple_configs() -> tuple[Case, ...]:
    """One float64 case per row of a strength-3 covering of CORE_FACTORS.

    Every configuration runs in every dtype, so a triple (a, b, dtype) is covered exactly when the
    pair (a, b) is, which the triples of the other factors already give: the covering is over the
    seven factors without dtype, and tests/kinds/deconv2d/test_grid.py checks the eight-factor
    triples on the grid itself.  About 0.1 s, once per process.
    """
    out = []
    for row in covering_rows(CORE_FACTORS, core_violates, 3):
        in_ch, out_ch, groups = _CORE_CHANNELS[str(row["groups"])]
        s, d, op = (int(row[k]) for k in ("stride", "dilation", "output_padding"))  # type: ignore[call-overload]
        out.append(
            Case(
                batch=2,
                in_ch=in_ch,
                out_ch=out_ch,
                groups=groups,
                size=(4, 5),
                kernel=(3, 2),
                stride=(s, s),
                padding=_CORE_PADDING[str(row["padding"])],
                dilation=(d, d),
                output_padding=(op, op),
                bias=bool(row["bias"]),
                activation=str(row["activation"]),
                dtype="float64",
            )
        )
    return tuple(out)


def grid_cases(grid: str, dtypes: Sequence[str] = DEFAULT_DTYPES) -> list[Case]:
    """The cases of a named grid in the given dtypes, in a fixed order."""
    return assemble(grid, dtypes, TIERS)


TIERS = Tiers(
    edges=[c for _, c in EDGE_CASES],
    pairwise=pairwise_configs,
    realistic_default=[c for _, c in REALISTIC_DEFAULT],
    realistic_full=[c for _, c in REALISTIC_FULL],
    triples=triple_configs,
    exhaustive=full_configs,
)
