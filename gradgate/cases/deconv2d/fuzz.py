"""Hypothesis strategies that construct only valid cases (no filtering, no mass rejection).

Each draw builds a configuration in dependency order so that every constraint holds by
construction: groups first, channels as multiples of it; stride and dilation, then output
padding below max(stride, dilation); then padding within what the full output leaves.
A failing case shrinks towards small values and prints as a case id that `--case` reruns.
"""

from __future__ import annotations

from hypothesis import strategies as st

from gradgate.cases.case import Case
from gradgate.cases.dtypes import DEFAULT_DTYPES
from gradgate.reference_impl.activations import ACTIVATIONS


@st.composite
def _axis(draw: st.DrawFn, max_size: int, max_kernel: int) -> dict[str, int]:
    """One spatial axis: input size, kernel, stride, dilation, output padding, padding."""
    size = draw(st.integers(1, max_size))
    k = draw(st.integers(1, max_kernel))
    s = draw(st.integers(1, 3))
    d = draw(st.integers(1, 3))
    op = draw(st.integers(0, max(s, d) - 1))
    full = (size - 1) * s + d * (k - 1) + 1 + op
    crop = draw(st.integers(0, full - 1))  # keep at least one output row
    before = draw(st.integers(0, crop))
    return {
        "size": size,
        "k": k,
        "s": s,
        "d": d,
        "op": op,
        "before": before,
        "after": crop - before,
    }


@st.composite
def valid_cases(
    draw: st.DrawFn,
    *,
    max_size: int = 6,
    max_kernel: int = 4,
    dtypes: tuple[str, ...] = DEFAULT_DTYPES,
) -> Case:
    """Any valid case, small enough to check in milliseconds."""
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
        output_padding=(rows["op"], cols["op"]),
        bias=draw(st.booleans()),
        activation=draw(st.sampled_from(ACTIVATIONS)),
        dtype=draw(st.sampled_from(dtypes)),
    )
