"""Gate my_deconv with gradgate's pytest plugin: one test per case of the grid.

The implementation and grid come from pyproject.toml's [tool.gradgate] table (a flag such as
`--gradgate-grid default` overrides it); run with `pytest -n auto` for parallel workers.
"""

from gradgate.harness.gate_suite import test_case

__all__ = ["test_case"]
