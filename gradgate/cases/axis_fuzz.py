"""The Hypothesis strategy of valid cases for a kind of any number of spatial axes (the 1-D and
3-D kinds; the 2-D ones have their own, `gradgate/cases/deconv2d/fuzz.py`).

Each draw builds a configuration in dependency order so every constraint holds by construction:
groups first, channels as multiples of it; per axis stride and dilation, then output padding
below max(stride, dilation), then padding within what the output leaves (or, for an ordinary
convolution, a padded input that holds the dilated kernel).  A failing case shrinks towards
small values and prints as a case id that `--case` reruns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from gradgate.cases.case import Case
from gradgate.cases.dtypes import DEFAULT_DTYPES
from gradgate.cases.kinds import layer_kind
from gradgate.reference_impl.activations import ACTIVATIONS


@st.composite
def _axis(draw: st.DrawFn, transposed: bool, max_size: int, max_kernel: int) -> dict[str, int]:
    """One spatial axis: input size, kernel, stride, dilation, output padding, padding."""
    size = draw(st.integers(1, max_size))
    k = draw(st.integers(1, max_kernel))
    s = draw(st.integers(1, 3))
    d = draw(st.integers(1, 3))
    if transposed:
        op = draw(st.integers(0, max(s, d) - 1))
        full = (size - 1) * s + d * (k - 1) + 1 + op
        total = draw(st.integers(0, full - 1))  # keep at least one output
    else:
        op = 0
        span = d * (k - 1) + 1
        total = draw(st.integers(max(0, span - size), max(0, span - size) + 3))
    before = draw(st.integers(0, total))
    return {
        "size": size,
        "k": k,
        "s": s,
        "d": d,
        "op": op,
        "before": before,
        "after": total - before,
    }


@st.composite
def valid_cases(
    draw: st.DrawFn,
    layer: str,
    *,
    max_size: int = 5,
    max_kernel: int = 4,
    dtypes: tuple[str, ...] = DEFAULT_DTYPES,
) -> Case:
    """Any valid case of `layer`, small enough to check in milliseconds."""
    kind = layer_kind(layer)
    groups = draw(st.integers(1, 3))
    axes = [draw(_axis(kind.OUTPUT_PADDING, max_size, max_kernel)) for _ in range(kind.SPATIAL)]
    return Case(
        batch=draw(st.integers(1, 3)),
        in_ch=groups * draw(st.integers(1, 3)),
        out_ch=groups * draw(st.integers(1, 3)),
        groups=groups,
        size=tuple(a["size"] for a in axes),
        kernel=tuple(a["k"] for a in axes),
        stride=tuple(a["s"] for a in axes),
        padding=tuple(side for a in axes for side in (a["before"], a["after"])),
        dilation=tuple(a["d"] for a in axes),
        output_padding=tuple(a["op"] for a in axes) if kind.OUTPUT_PADDING else (),
        bias=draw(st.booleans()),
        activation=draw(st.sampled_from(ACTIVATIONS)),
        dtype=draw(st.sampled_from(dtypes)),
        layer=layer,
    )


def fuzz_cases_of(layer: str) -> Callable[[tuple[str, ...]], Any]:
    """A kind's `fuzz_cases`: this strategy for `layer`."""

    def fuzz_cases(dtypes: tuple[str, ...]) -> Any:
        return valid_cases(layer, dtypes=dtypes)

    return fuzz_cases
