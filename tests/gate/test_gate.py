"""The gate itself: every case of the selected grid (default: `default`) on the selected
implementation (default: the reference), through all three oracles."""

from gradgate.harness.gate_suite import test_case

__all__ = ["test_case"]
