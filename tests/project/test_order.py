"""The suite's run order (tests/order.py): longest first, from the measured durations."""

from __future__ import annotations

from pathlib import Path

from tests.order import DURATIONS, longest_first, measured


def test_longest_first_with_unmeasured_slow_tests_in_between_and_ties_kept() -> None:
    tests = [
        ("a", False),  # unmeasured, not slow: instant
        ("b", True),  # measured 1 s, though marked slow
        ("c", True),  # unmeasured slow: UNMEASURED_SLOW
        ("d", False),  # measured 9 s
        ("e", False),  # unmeasured, not slow: ties with a, after it
        ("f", False),  # measured 0.5 s
    ]
    durations = {"b": 1.0, "d": 9.0, "f": 0.5, "gone": 30.0}
    order = [tests[i][0] for i in longest_first(tests, durations)]
    assert order == ["d", "c", "b", "f", "a", "e"]


def test_the_committed_durations_are_seconds_and_a_missing_file_is_no_durations(
    tmp_path: Path,
) -> None:
    durations = measured()
    assert durations, DURATIONS
    assert all(isinstance(s, float) and s >= 0 for s in durations.values())
    assert all("::" in node_id for node_id in durations)
    assert measured(tmp_path / "absent.json") == {}
