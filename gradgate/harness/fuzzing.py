"""Fuzz mode: Hypothesis draws valid cases, runs them through the engine, shrinks a failure.

The minimal failing case comes back as a `CaseResult` whose id `gradgate run --case` reruns.
"""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import HealthCheck, given, settings
from hypothesis import seed as hypothesis_seed

from gradgate.cases.dtypes import DEFAULT_DTYPES
from gradgate.cases.kinds import DEFAULT_LAYER, layer_kind
from gradgate.harness.engine import run_case
from gradgate.harness.loading import Implementation
from gradgate.harness.oracles import ORACLES
from gradgate.harness.result import CaseResult


class _Failing(Exception):
    pass


def fuzz(
    impl: Implementation,
    *,
    examples: int = 200,
    seed: int = 0,
    oracles: Sequence[str] = ORACLES,
    dtypes: Sequence[str] = DEFAULT_DTYPES,
    layer: str = DEFAULT_LAYER,
    derivatives: Sequence[str] = ("first",),
) -> CaseResult | None:
    """The minimal failing or erroring case Hypothesis finds in `examples` draws, or None."""
    failures: list[CaseResult] = []

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        print_blob=False,
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis_seed(seed)
    @given(layer_kind(layer).fuzz_cases(tuple(dtypes)))
    def check(case: object) -> None:
        result = run_case(impl, case, oracles=oracles, seed=seed, derivatives=derivatives)  # type: ignore[arg-type]
        if result.status in ("failed", "errored"):
            failures.append(result)
            raise _Failing(result.id)

    try:
        check()
    except _Failing:
        return failures[-1]  # Hypothesis replays the shrunk example last
    return None
