"""Conv2D implementations nobody here wrote, through the gate: numpy-ml's `Conv2D` (the
layer-class adapter), torch's `nn.Conv2d` (the torch module adapter) and `F.conv2d` (`--framework
torch --layer conv2d`), each verdict checked against a direct comparison case by case."""

from __future__ import annotations

import importlib.util
import sys
import warnings
from collections import Counter

import pytest

from gradgate.cases.case import Case
from gradgate.cases.kinds import layer_kind
from gradgate.harness.engine import run_case
from gradgate.harness.loading import load_implementation
from tests.frameworks.verdict_runs import runs_in_a_subprocess
from tests.kinds.numpy_ml_direct import direct_numpy_ml_verdict

CONV2D = layer_kind("conv2d")
NUMPY_ML = "numpy_ml.neural_nets.layers:Conv2D"
needs_numpy_ml = pytest.mark.skipif(
    importlib.util.find_spec("numpy_ml") is None,
    reason="numpy-ml is not installed (pip install gradgate[numpy-ml])",
)


def _direct_numpy_ml_verdict(case: Case, cls: type) -> str:
    """numpy-ml's Conv2D built and called by hand, compared with torch float64."""
    if case.groups != 1 or case.stride[0] != case.stride[1]:
        return "unsupported"
    if case.dilation[0] != case.dilation[1]:
        return "unsupported"
    return direct_numpy_ml_verdict(case, cls, dilation=case.dilation[0] - 1)  # numpy-ml: from 0


@pytest.mark.slow
@needs_numpy_ml
def test_numpy_ml_conv2d_verdicts_match_a_direct_comparison_case_by_case() -> None:
    impl = load_implementation(NUMPY_ML, "conv2d")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from numpy_ml.neural_nets.layers import Conv2D

    default = CONV2D.grid_cases("default", ("float64", "float32"))
    scoped = [c for c in CONV2D.grid_cases("full", ("float64",)) if impl.scope(c.cfg) is None]
    cases = list({c.id: c for c in default + scoped[::3]}.values())
    verdicts: Counter[str] = Counter()
    for case in cases:
        gate = run_case(impl, case)
        assert gate.status == _direct_numpy_ml_verdict(case, Conv2D), (case.id, gate.message)
        verdicts[gate.status] += 1
    # numpy-ml's Conv2D is right on what it can express (docs/findings/numpy-ml-conv2d.md):
    # the gate passes it there and calls the rest (groups, per-axis stride) unsupported.
    assert verdicts["passed"] > 50 and verdicts["unsupported"] > 10
    assert set(verdicts) == {"passed", "unsupported"}


@pytest.mark.slow
def test_torch_nn_conv2d_passes_the_default_grid() -> None:
    impl = load_implementation("torch.nn:Conv2d", "conv2d")
    cases = CONV2D.grid_cases("default", ("float64", "float32"))
    statuses = Counter(run_case(impl, c).status for c in cases)
    assert statuses == Counter({"passed": len(cases)})


def test_a_conv2d_module_without_dilation_or_groups_gets_them_unsupported() -> None:
    import torch

    class Plain(torch.nn.Conv2d):
        def __init__(
            self,
            in_channels: int,
            out_channels: int,
            kernel_size: object,
            stride: object = 1,
            padding: object = 0,
            bias: bool = True,
        ) -> None:
            super().__init__(in_channels, out_channels, kernel_size, stride, padding, bias=bias)

    module = type(sys)("scratch_conv_layers")
    module.Plain = Plain  # type: ignore[attr-defined]
    sys.modules["scratch_conv_layers"] = module
    impl = load_implementation("scratch_conv_layers:Plain", "conv2d")
    for case in CONV2D.grid_cases("default", ("float64",))[:30]:
        result = run_case(impl, case)
        expressible = case.dilation == (1, 1) and case.groups == 1
        assert result.status == ("passed" if expressible else "unsupported"), result.message


def test_torch_framework_conv2d_verdicts_match_a_direct_comparison() -> None:
    plan = {"conv2d": ("first", ("float64", "float32"), ("conv2d",), None)}
    by_dtype = runs_in_a_subprocess("torch", plan)["conv2d"]  # {"conv2d/dtype": verdicts}
    for dtype, verdicts in by_dtype.items():
        assert len(verdicts) >= 10 and all(i.startswith("conv2d-") for i in verdicts), dtype
        assert all(gate == direct == "passed" for gate, direct, _ in verdicts.values()), verdicts
