"""numpy-ml's `Conv1D` through the gate (`--layer conv1d`, the layer-class adapter with its
`kernel_width` and 0-based dilation), each verdict checked against numpy-ml called by hand and
compared with torch float64 (docs/findings/numpy-ml-conv1d.md)."""

from __future__ import annotations

import importlib.util
import warnings
from collections import Counter

import pytest

from gradgate.cases.case import Case
from gradgate.cases.kinds import layer_kind
from gradgate.harness.engine import run_case
from gradgate.harness.loading import load_implementation
from tests.kinds.numpy_ml_direct import direct_numpy_ml_verdict

NUMPY_ML = "numpy_ml.neural_nets.layers:Conv1D"
pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("numpy_ml") is None,
    reason="numpy-ml is not installed (pip install gradgate[numpy-ml])",
)


def _direct_verdict(case: Case, cls: type) -> str:
    if case.groups != 1:
        return "unsupported"
    return direct_numpy_ml_verdict(case, cls, dilation=case.dilation[0] - 1)  # numpy-ml: from 0


@pytest.mark.slow
def test_numpy_ml_conv1d_verdicts_match_a_direct_comparison_case_by_case() -> None:
    impl = load_implementation(NUMPY_ML, "conv1d")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from numpy_ml.neural_nets.layers import Conv1D

    kind = layer_kind("conv1d")
    default = kind.grid_cases("default", ("float64", "float32"))
    scoped = [c for c in kind.grid_cases("full", ("float64",)) if impl.scope(c.cfg) is None]
    cases = list({c.id: c for c in default + scoped[::3]}.values())
    verdicts: Counter[str] = Counter()
    for case in cases:
        gate = run_case(impl, case)
        assert gate.status == _direct_verdict(case, Conv1D), (case.id, gate.message)
        verdicts[gate.status] += 1
    # numpy-ml's Conv1D is right on all it can express; groups are what it cannot.
    assert verdicts["passed"] > 60 and verdicts["unsupported"] > 10
    assert set(verdicts) == {"passed", "unsupported"}


def test_numpy_ml_conv1d_is_called_with_its_own_dilation_convention() -> None:
    """A dilated case in scope passes: the adapter gives numpy-ml torch's dilation - 1."""
    impl = load_implementation(NUMPY_ML, "conv1d")
    case_id = "conv1d-n2-c3x2-g1-i9-k3-s2-p2.1-d3-b1-tanh-f64"
    from gradgate.cases.case import parse_case_id

    assert run_case(impl, parse_case_id(case_id)).status == "passed"
    grouped = parse_case_id("conv1d-n2-c4x6-g2-i7-k3-s2-p1.0-d2-b1-relu-f64")
    result = run_case(impl, grouped)
    assert result.status == "unsupported" and "groups" in result.message
