"""Layer classes through the adapters: the reference layer, torch modules, numpy-ml."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from gradgate.cases.case import Case
from gradgate.cases.deconv2d.grid import grid_cases
from gradgate.harness.adapters.numpy_ml_compat import SHIM_NOTE
from gradgate.harness.data import case_data
from gradgate.harness.engine import run_case
from gradgate.harness.loading import load_implementation
from tests.commands import gradgate
from tests.kinds.numpy_ml_direct import direct_numpy_ml_verdict

ROOT = Path(__file__).resolve().parents[3]
DEFAULT = grid_cases("default")
NUMPY_ML = "numpy_ml.neural_nets.layers:Deconv2D"
needs_numpy_ml = pytest.mark.skipif(
    importlib.util.find_spec("numpy_ml") is None,
    reason="numpy-ml is not installed (pip install gradgate[numpy-ml])",
)


def _statuses(spec: str, cases: list[Case], **kw: Any) -> Counter:
    impl = load_implementation(spec)
    return Counter(run_case(impl, c, **kw).status for c in cases)


@pytest.mark.slow
@pytest.mark.parametrize(
    "spec",
    [
        "reference_impl:Deconv2D",
        "torch.nn:ConvTranspose2d",
        "tests.kinds.deconv2d.torch_modules:GoodConvTranspose2d",
        "tests.kinds.deconv2d.torch_modules:ConvTranspose2dFunction",
    ],
)
def test_correct_layer_classes_pass_the_default_grid(spec: str) -> None:
    assert _statuses(spec, DEFAULT) == Counter(passed=len(DEFAULT))


def test_a_torch_module_with_a_weight_gradient_bug_fails_on_dW() -> None:
    impl = load_implementation("tests.kinds.deconv2d.torch_modules:BuggyConvTranspose2d")
    results = [run_case(impl, c) for c in DEFAULT[:12]]
    assert all(r.status == "failed" for r in results)
    for r in results:
        failing = {name for name, check in r.checks.items() if not check.passed}
        assert failing and all(name.endswith(":dW") for name in failing), failing
        assert {"torch:dW", "adjoint:dW"} <= failing


def test_what_a_torch_module_cannot_express_is_unsupported() -> None:
    import torch

    class NoDilation(torch.nn.ConvTranspose2d):
        def __init__(
            self,
            in_channels: int,
            out_channels: int,
            kernel_size: Any,
            stride: Any = 1,
            padding: Any = 0,
            bias: bool = True,
        ) -> None:
            super().__init__(in_channels, out_channels, kernel_size, stride, padding, bias=bias)

    module = type(sys)("scratch_layers")
    module.NoDilation = NoDilation  # type: ignore[attr-defined]
    sys.modules["scratch_layers"] = module
    impl = load_implementation("scratch_layers:NoDilation")
    for case in DEFAULT[:30]:
        result = run_case(impl, case)
        expressible = case.dilation == (1, 1) and case.groups == 1 and case.output_padding == (0, 0)
        assert result.status == ("passed" if expressible else "unsupported"), result.message


@needs_numpy_ml
def test_numpy_ml_layers_create_their_parameters_without_a_convolution(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """numpy-ml's classes initialise from X's channels (`in_ch`, `_init_params()`): the adapter
    does that itself, so each call convolves once, where a first forward doubled it."""
    impl = load_implementation(NUMPY_ML)
    layers = sys.modules["numpy_ml.neural_nets.layers.layers"]
    calls = Counter()
    naive = layers.deconv2D_naive

    def counted(*args: Any) -> Any:
        calls["deconv2D_naive"] += 1
        return naive(*args)

    monkeypatch.setattr(layers, "deconv2D_naive", counted)
    case = next(c for c in DEFAULT if impl.scope(c.cfg) is None)
    data = case_data(case, 0)
    Y = impl.forward(data.X, data.W, data.b, case.cfg)
    assert calls["deconv2D_naive"] == 1
    assert Y.shape == case.y_shape


def _direct_numpy_ml_verdict(case: Case, cls: type) -> str:
    """numpy-ml's Deconv2D called by hand and compared with torch: the verdict to expect."""
    if case.dilation != (1, 1) or case.output_padding != (0, 0) or case.groups != 1:
        return "unsupported"
    if case.stride[0] != case.stride[1]:
        return "unsupported"
    return direct_numpy_ml_verdict(case, cls)


@pytest.mark.slow
@needs_numpy_ml
def test_numpy_ml_verdicts_match_a_direct_comparison_case_by_case() -> None:
    impl = load_implementation(NUMPY_ML)  # imports numpy-ml through the shim, quietly
    from numpy_ml.neural_nets.layers import Deconv2D

    scoped = [c for c in grid_cases("full") if impl.scope(c.cfg) is None]
    # every other full case in numpy-ml's scope (its loops take 0.3 s a case; the findings page
    # gives the command for all of them)
    cases = list({c.id: c for c in DEFAULT + scoped[::2]}.values())
    verdicts = Counter()
    for case in cases:
        gate = run_case(impl, case).status
        assert gate == _direct_numpy_ml_verdict(case, Deconv2D), case.id
        verdicts[gate] += 1
    # numpy-ml is right on some cases and wrong or refusing on others: the gate sees both.
    assert verdicts["passed"] and verdicts["failed"] and verdicts["errored"]


@pytest.mark.slow
@needs_numpy_ml
def test_numpy_ml_import_shim_is_said_once(tmp_path: Path) -> None:
    case = "n2-c2x3-g1-i3x4-k3x3-s2x2-p1.1.1.1-d1x1-op0x0-b1-tanh-f64"
    out = gradgate("run", "--impl", NUMPY_ML, "--case", case, "--report-dir", str(tmp_path))
    assert out.returncode == 0, out.stdout + out.stderr
    assert (out.stdout + out.stderr).count(SHIM_NOTE) == 1


@needs_numpy_ml
def test_the_shim_note_belongs_to_numpy_ml_only() -> None:
    assert load_implementation(NUMPY_ML).notes == [SHIM_NOTE]
    assert load_implementation("reference_impl").notes == []


TORCH_LAYERS = "tests.kinds.deconv2d.torch_modules"
ALL_DERIVATIVES = ("first", "forward", "second")


def _derivative_results(spec: str) -> list[Any]:
    impl = load_implementation(spec)
    return [run_case(impl, c, derivatives=ALL_DERIVATIVES) for c in grid_cases("smoke")[::3]]


def test_torch_layers_get_forward_mode_and_the_second_order_from_torch() -> None:
    for result in _derivative_results("torch.nn:ConvTranspose2d"):
        assert result.status == "passed" and not result.unsupported, result.message
        assert {"torch:jY", "fd:gX", "adjoint:hessian"} <= set(result.checks)


def test_a_function_without_jvp_has_no_forward_mode_and_keeps_its_second_order() -> None:
    for result in _derivative_results(f"{TORCH_LAYERS}:GoodConvTranspose2d"):
        assert result.status == "passed", result.message
        assert set(result.unsupported) == {"forward"}
        assert "You must implement the jvp function" in result.unsupported["forward"]
        assert result.checks["torch:gX"].passed and result.checks["fd:gW"].passed


def test_a_once_differentiable_backward_is_unsupported_for_the_second_order_saying_why() -> None:
    for result in _derivative_results(f"{TORCH_LAYERS}:OnceDifferentiableFunction"):
        assert result.status == "passed", result.message
        assert result.unsupported["second"] == (
            "OnceDifferentiableFunction.backward is marked @once_differentiable: torch does not "
            "differentiate it again"
        )
    # inside a module: torch marks the gradients (an Error node), which would give zeros
    for result in _derivative_results(f"{TORCH_LAYERS}:OnceDifferentiableConvTranspose2d"):
        assert result.status == "passed", result.message
        assert "its backward is @once_differentiable" in result.unsupported["second"]


def test_a_wrong_hand_written_backward_has_a_wrong_second_order_too() -> None:
    results = _derivative_results(f"{TORCH_LAYERS}:BuggyConvTranspose2d")
    assert any(not r.checks["torch:gX"].passed for r in results if "torch:gX" in r.checks)
