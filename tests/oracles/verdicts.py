"""What the bug-bank tests read off a result: only what gradgate decides, never rounding luck.

`layout:*` compares two calls of the implementation and `repeat:*` two backward calls.  On a
correct implementation both agree within the bounds on every machine.  On a wrong one they
compare two wrong values, which agree or not as the two calls happen to round: that depends on
the BLAS kernel, the ISA and the thread count.  So, unless a test is about them, the bank's
tests count only the checks whose verdict on a wrong value is fixed by the value itself: the
oracles (torch, fd, adjoint), `reach:*` (exact values the geometry fixes) and `contract:*`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from gradgate.cases.case import Case
from gradgate.harness.engine import run_case
from gradgate.harness.loading import Implementation
from gradgate.harness.reach import unreached
from gradgate.harness.result import CaseResult

ROUNDING_DEPENDENT = ("layout:", "repeat:")


def caught(result: CaseResult, by: tuple[str, ...] | None = None) -> list[str]:
    """The failing checks of `result` whose names start with one of `by` (by default every
    check but the two-call comparisons); an errored case counts as caught, by its status."""
    if result.status == "errored":
        return ["errored"]
    names = [name for name, check in result.checks.items() if not check.passed]
    if by is None:
        return [name for name in names if not name.startswith(ROUNDING_DEPENDENT)]
    return [name for name in names if name.startswith(by)]


def caught_cases(
    impl: Implementation,
    cases: Sequence[Case],
    oracles: tuple[str, ...],
    *,
    by: tuple[str, ...] | None = None,
    first: bool = False,
    seed: int = 0,
) -> list[CaseResult]:
    """The results `caught` says fail, in grid order (only the first one when `first`)."""
    out: list[CaseResult] = []
    for case in cases:
        result = run_case(impl, case, oracles=oracles, seed=seed)
        if caught(result, by):
            out.append(result)
            if first:
                break
    return out


def first_caught(
    impl: Implementation,
    cases: Sequence[Case],
    oracles: tuple[str, ...],
    *,
    by: tuple[str, ...] | None = None,
) -> CaseResult | None:
    found = caught_cases(impl, cases, oracles, by=by, first=True)
    return found[0] if found else None


def unreached_taps_not_mirrored(case: Case) -> bool:
    """Whether a kernel tap that reaches no output is the mirror image of one that does: where
    a flipped kernel then puts a nonzero value into a dW entry that must be exactly 0."""
    mask = unreached(case).get("dW")
    return mask is not None and not np.array_equal(mask, mask[::-1, ::-1])
