"""A Hypothesis strategy that constructs only valid Conv2D cases (no filtering, no rejection).

Each draw builds a configuration in dependency order so that every constraint holds by
construction: groups first, channels as multiples of it; per axis the input size, kernel and
dilation, then a total padding at least what the dilated kernel needs beyond the input (and
up to three more, so padding past the kernel's reach is drawn too), split into before and
after.  There is no output padding.  A failing case shrinks towards small values and prints
as a case id that `--case` reruns.
"""

from __future__ import annotations

from hypothesis import strategies as st

from gradgate.cases.case import Case
from gradgate.cases.dtypes import DEFAULT_DTYPES
from gradgate.reference_impl.activations import ACTIVATIONS

# How much padding beyond what the dilated kernel needs an axis may draw.
EXTRA_PADDING = 3


@st.composite
def _axis(draw: st.DrawFn, max_size: int, max_kernel: int) -> dict[str, int]:
    """One spatial axis: input size, kernel, stride, dilation and the padding on each side."""
    size = draw(st.integers(1, max_size))
    k = draw(st.integers(1, max_kernel))
    s = draw(st.integers(1, 3))
    d = draw(st.integers(1, 3))
    needed = max(0, d * (k - 1) + 1 - size)  # the padded input must hold the dilated kernel
    total = draw(st.integers(needed, needed + EXTRA_PADDING))
    before = draw(st.integers(0, total))
    return {"size": size, "k": k, "s": s, "d": d, "before": before, "after": total - before}


@st.composite
def valid_cases(
    draw: st.DrawFn,
    *,
    max_size: int = 6,
    max_kernel: int = 4,
    dtypes: tuple[str, ...] = DEFAULT_DTYPES,
) -> Case:
    """Any valid Conv2D case, small enough to check in milliseconds."""
    groups = draw(st.integers(1, 3))
    rows, cols = draw(_axis(max_size, max_kernel)), draw(_axis(max_size, max_kernel))
    return Case(
        batch=draw(st.integers(1, 3)),
        in_ch=groups * draw(st.integers(1, 3)),
        out_ch=groups * draw(st.integers(1, 3)),
        groups=groups,
        size=(rows["size"], cols["size"]),
        kernel=(rows["k"], cols["k"]),
        stride=(rows["s"], cols["s"]),
        padding=(rows["before"], rows["after"], cols["before"], cols["after"]),
        dilation=(rows["d"], cols["d"]),
        output_padding=(0, 0),
        bias=draw(st.booleans()),
        activation=draw(st.sampled_from(ACTIVATIONS)),
        dtype=draw(st.sampled_from(dtypes)),
        layer="conv2d",
    )
