"""The gate as a pytest test: one parametrized test, one case of the grid per parameter.

Collected by `gradgate run` directly, and by any test module that imports `test_case`
(as this repository's tests/gate/test_gate.py does).  The cases, the implementation and the options
come from the gradgate pytest plugin (`gradgate.harness.pytest_plugin`).
"""

from __future__ import annotations

import pytest

from gradgate.harness.result import CaseResult


def test_case(gradgate_result: CaseResult) -> None:
    """One case through the contract checks and the oracles."""
    if gradgate_result.status == "unsupported":
        pytest.skip(f"unsupported: {gradgate_result.message}")
    if gradgate_result.status != "passed":
        pytest.fail(f"{gradgate_result.status}: {gradgate_result.message}", pytrace=False)
