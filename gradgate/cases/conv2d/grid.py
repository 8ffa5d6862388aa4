"""Conv2D's named grids: `smoke`, `default` and `full` (the counterpart of
`gradgate/cases/deconv2d/grid.py`).

`default` covers every feasible pair of factor levels (`gradgate/cases/covering.py`) in each
dtype, plus hand-picked edge cases and the realistic tier (`realistic.py`); `smoke` is the edge
cases and the first seven pairwise rows; `full` adds every feasible triple of levels of the core
factors (`CORE_FACTORS`, and dtype), more realistic cases and a bounded exhaustive product of the
geometry factors, meant for pytest-xdist or CI shards.  Pure functions of the code: no
randomness, no set iteration, the same list on every worker.

Conv2D's constraints: groups divide in_ch and out_ch, and the dilated kernel fits the padded
input (in + before + after >= dilation * (k - 1) + 1); there is no output padding.  Padding
levels include asymmetric ones, padding beyond the kernel's reach (outputs whose every tap
is on padding), and the geometry levels give strides larger than the kernel (input rows no
window reads) and kernels larger than the input.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from itertools import product

from gradgate.cases.assembly import GRIDS as GRIDS
from gradgate.cases.assembly import Tiers, assemble, case_from_row, channels_violate, int_level
from gradgate.cases.case import Case, parse_case_id
from gradgate.cases.conv2d.realistic import REALISTIC_DEFAULT, REALISTIC_FULL
from gradgate.cases.covering import Factors, Row, covering_rows, pairwise_rows
from gradgate.cases.dtypes import DEFAULT_DTYPES
from gradgate.reference_impl.activations import ACTIVATIONS

LAYER = "conv2d"

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
    ("stride_h", "dilation_h", "pad_h", "kh", "in_h"),
    ("stride_w", "dilation_w", "pad_w", "kw", "in_w"),
)


def violates(row: Row) -> bool:
    """True when the assigned factors of a (partial) row already break a constraint."""
    if channels_violate(row):
        return True
    for axis, k, n in (("h", "kh", "in_h"), ("w", "kw", "in_w")):
        d, size, kernel = int_level(row, f"dilation_{axis}"), int_level(row, n), int_level(row, k)
        pad = row.get(f"pad_{axis}")
        if d is None or size is None or kernel is None or not isinstance(pad, tuple):
            continue
        if size + int(pad[0]) + int(pad[1]) < d * (kernel - 1) + 1:
            return True
    return False


# Hand-picked edge cases, each named for what it exercises (ids read as in gradgate/cases/case.py);
# tests/kinds/conv2d/test_conv2d_grid.py checks each does.
EDGE_CASES: tuple[tuple[str, Case], ...] = tuple(
    (name, parse_case_id(case_id))
    for name, case_id in (
        ("1x1 input", "conv2d-n2-c2x3-g1-i1x1-k3x3-s2x2-p1.1.1.1-d1x1-b1-tanh-f64"),
        (
            "kernel larger than the input",
            "conv2d-n2-c2x3-g1-i2x2-k5x4-s1x2-p2.2.1.2-d1x1-b1-relu-f64",
        ),
        (
            "stride larger than the kernel: input rows and cols no window reads",
            "conv2d-n2-c2x3-g1-i7x8-k2x1-s3x4-p0.0.0.0-d1x1-b1-identity-f64",
        ),
        (
            "last stride window partial: trailing input rows and cols unread",
            "conv2d-n2-c2x3-g1-i6x7-k3x2-s2x2-p0.0.0.0-d1x1-b1-sigmoid-f64",
        ),
        (
            "padding beyond the kernel's reach: outputs whose every tap is on padding",
            "conv2d-n2-c2x3-g1-i3x4-k2x2-s1x1-p3.2.2.3-d1x1-b1-leaky_relu-f64",
        ),
        (
            "TensorFlow 'same' for an even kernel: asymmetric padding keeps the size",
            "conv2d-n2-c3x2-g1-i5x6-k4x2-s1x1-p1.2.0.1-d1x1-b1-tanh-f64",
        ),
        (
            "dilated kernel spans the whole padded input",
            "conv2d-n2-c2x3-g1-i3x3-k3x3-s1x1-p1.1.1.1-d2x2-b1-identity-f64",
        ),
        (
            "non-square everything",
            "conv2d-n3-c3x6-g3-i7x9-k2x5-s3x1-p0.1.2.3-d2x1-b1-leaky_relu-f64",
        ),
        (
            "depthwise, channel multiplier 2",
            "conv2d-n2-c4x8-g4-i5x6-k3x3-s2x2-p1.1.1.1-d1x1-b0-tanh-f64",
        ),
        (
            "one output channel",
            "conv2d-n2-c3x1-g1-i4x5-k2x2-s1x1-p0.0.0.0-d1x1-b1-relu-f64",
        ),
    )
)


@lru_cache(maxsize=1)
def pairwise_configs() -> tuple[Case, ...]:
    """One float64 case per row of the pairwise covering."""
    return tuple(
        case_from_row(row, "float64", LAYER) for row in pairwise_rows(FACTORS, violates, COMPONENTS)
    )


def full_configs() -> list[Case]:
    """Exhaustive over stride, dilation, kernel, padding and channel layout on a 5x6 input."""
    layouts = ((2, 4, 1), (4, 4, 2), (3, 3, 3))  # (in_ch, out_ch, groups)
    kernels = ((1, 1), (2, 3), (3, 3))
    paddings = ((0, 0, 0, 0), (1, 1, 1, 1), (0, 2, 1, 0))
    out: list[Case] = []
    combos = product(layouts, kernels, (1, 2, 3), (1, 2, 3), (1, 2), (1, 2), paddings)
    for i, (layout, k, sh, sw, dh, dw, pad) in enumerate(combos):
        in_ch, out_ch, g = layout
        out.append(
            Case(
                batch=2,
                in_ch=in_ch,
                out_ch=out_ch,
                groups=g,
                size=(5, 6),
                kernel=(k[0], k[1]),
                stride=(sh, sw),
                padding=pad,
                dilation=(dh, dw),
                output_padding=(0, 0),
                bias=i % 3 != 2,
                activation=ACTIVATIONS[i % len(ACTIVATIONS)],
                dtype="float64",
                layer=LAYER,
            )
        )
    return out


# The core factors whose every triple of levels `full` covers (with dtype, see `triple_configs`).
# Levels apply to both axes; padding is a kind and the kernel a shape, made concrete below.
CORE_FACTORS: Factors = (
    ("stride", (1, 2, 3)),
    ("padding", ("none", "symmetric", "asymmetric")),
    ("dilation", (1, 2, 3)),
    ("kernel", ("1x1", "3x2", "2x3")),
    ("groups", ("1", "2", "depthwise")),
    ("bias", (True, False)),
    ("activation", ACTIVATIONS),
)
_CORE_PADDING = {"none": (0, 0, 0, 0), "symmetric": (1, 1, 1, 1), "asymmetric": (0, 2, 2, 1)}
_CORE_KERNEL = {"1x1": (1, 1), "3x2": (3, 2), "2x3": (2, 3)}
_CORE_CHANNELS = {"1": (3, 5, 1), "2": (4, 6, 2), "depthwise": (3, 6, 3)}  # in, out, groups
_CORE_INPUT = (7, 8)  # holds the largest dilated kernel (3 taps at dilation 3) unpadded


def core_violates(row: Row) -> bool:
    """Every combination of core levels is valid: the 7x8 input holds every dilated kernel."""
    return False


@lru_cache(maxsize=1)
def triple_configs() -> tuple[Case, ...]:
    """One float64 case per row of a strength-3 covering of CORE_FACTORS.

    Every configuration runs in every dtype, so a triple (a, b, dtype) is covered exactly when
    the pair (a, b) is, which the triples of the other factors already give;
    tests/kinds/conv2d/test_conv2d_grid.py checks the triples with dtype on the grid itself.
    """
    out = []
    for row in covering_rows(CORE_FACTORS, core_violates, 3):
        in_ch, out_ch, groups = _CORE_CHANNELS[str(row["groups"])]
        kh, kw = _CORE_KERNEL[str(row["kernel"])]
        s, d = int(row["stride"]), int(row["dilation"])  # type: ignore[call-overload]
        out.append(
            Case(
                batch=2,
                in_ch=in_ch,
                out_ch=out_ch,
                groups=groups,
                size=(_CORE_INPUT[0], _CORE_INPUT[1]),
                kernel=(kh, kw),
                stride=(s, s),
                padding=_CORE_PADDING[str(row["padding"])],
                dilation=(d, d),
                output_padding=(0, 0),
                bias=bool(row["bias"]),
                activation=str(row["activation"]),
                dtype="float64",
                layer=LAYER,
            )
        )
    return tuple(out)


def grid_cases(grid: str, dtypes: Sequence[str] = DEFAULT_DTYPES) -> list[Case]:
    """The Conv2D cases of a named grid in the given dtypes, in a fixed order."""
    return assemble(grid, dtypes, TIERS)


TIERS = Tiers(
    edges=[c for _, c in EDGE_CASES],
    pairwise=pairwise_configs,
    realistic_default=[c for _, c in REALISTIC_DEFAULT],
    realistic_full=[c for _, c in REALISTIC_FULL],
    triples=triple_configs,
    exhaustive=full_configs,
)
