"""Gate my_deconv with gradgate's pytest plugin: one test per case of the grid.

The implementation and grid come from pytest.ini (--gradgate-impl, --gradgate-grid); run with
`pytest -n auto` for parallel workers.
"""

from harness.gate_suite import test_case

__all__ = ["test_case"]
