"""How the suite runs Hypothesis: derandomized (the same examples on every run, worker and
machine), no example database, no deadline on a shared machine."""

from __future__ import annotations

from hypothesis import HealthCheck, settings


def derandomized(max_examples: int) -> settings:
    return settings(
        max_examples=max_examples,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
