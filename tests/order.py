"""The order the suite runs in: longest first, from the durations a full run measured.

pytest-xdist's `worksteal` (pyproject.toml) gives each worker half of the collection, and a
worker that runs out takes the end of the other's queue.  Collected longest first, the run then
ends on short tests on both workers; collected slow-first only, a 22 s test once started last and
ran alone while the other worker idled.

`durations.json` is pytest-split's format, written by a full run:

    python3 -m pytest -n 2 --store-durations --clean-durations --durations-path tests/durations.json

A test it does not list yet counts as UNMEASURED_SLOW seconds if marked `slow`, else as instant.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

DURATIONS = Path(__file__).with_name("durations.json")
UNMEASURED_SLOW = 5.0  # seconds


def measured(path: Path = DURATIONS) -> dict[str, float]:
    """{node id: seconds} from a full run; empty if there is no file."""
    return dict(json.loads(path.read_text())) if path.exists() else {}


def expected_seconds(node_id: str, slow: bool, durations: Mapping[str, float]) -> float:
    return durations.get(node_id, UNMEASURED_SLOW if slow else 0.0)


def longest_first(tests: Sequence[tuple[str, bool]], durations: Mapping[str, float]) -> list[int]:
    """Positions of (node id, slow) `tests` in run order: longest expected first, ties in
    collection order (a stable sort, the same on every worker)."""
    return sorted(range(len(tests)), key=lambda i: -expected_seconds(*tests[i], durations))
