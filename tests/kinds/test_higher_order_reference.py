"""The references' forward mode (`jvp`) and second order (`double_backward`), every kind, against
PyTorch float64: `torch.func.jvp` of the layer, and autograd of its create_graph backward."""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np
import pytest

from gradgate.cases.case import Case
from gradgate.cases.kinds import LAYER_KINDS, layer_kind
from gradgate.harness.data import case_data
from gradgate.harness.oracles.torch_autograd import kind_double_backward, kind_jvp


def _reference(case: Case) -> Any:
    return importlib.import_module(f"gradgate.{case.kind.REFERENCE}")


def _like(arr: np.ndarray | None, rng: np.random.Generator) -> np.ndarray | None:
    return None if arr is None else rng.standard_normal(arr.shape).astype(arr.dtype)


def _close(name: str, got: np.ndarray, expected: np.ndarray, case: Case) -> None:
    scale = max(1.0, float(np.abs(expected).max(initial=0.0)))
    err = float(np.abs(np.asarray(got, np.float64) - expected).max(initial=0.0))
    assert err <= 1e-11 * scale, f"{case.id} {name}: max error {err:.3g} (scale {scale:.3g})"


def _cases(name: str) -> list[Case]:
    return [c for c in layer_kind(name).grid_cases("smoke", ("float64",))]


@pytest.mark.parametrize("name", list(LAYER_KINDS))
def test_jvp_is_torch_forward_mode(name: str) -> None:
    rng = np.random.default_rng(21)
    for case in _cases(name):
        d = case_data(case, 0)
        tangents = (_like(d.X, rng), _like(d.W, rng), _like(d.b, rng))
        Y, tY = _reference(case).jvp(*tangents, d.X, d.W, d.b, case.cfg)
        expected = kind_jvp(case.kind, tangents, d.X, d.W, d.b, case.cfg)  # type: ignore[arg-type]
        _close("Y", Y, expected["Y"], case)
        _close("tY", tY, expected["tY"], case)


@pytest.mark.parametrize("name", list(LAYER_KINDS))
def test_double_backward_is_torch_s_vjp_of_the_backward(name: str) -> None:
    rng = np.random.default_rng(22)
    for case in _cases(name):
        d = case_data(case, 0)
        cotangents = (_like(d.X, rng), _like(d.W, rng), _like(d.b, rng))
        got = _reference(case).double_backward(*cotangents, d.dY, d.X, d.W, d.b, case.cfg)
        expected = kind_double_backward(case.kind, cotangents, d.dY, d.X, d.W, d.b, case.cfg)  # type: ignore[arg-type]
        for q, value in zip(("gdY", "gX", "gW", "gb"), got):
            if q == "gb" and d.b is None:
                assert value is None and "gb" not in expected, case.id
            else:
                _close(q, value, expected[q], case)


@pytest.mark.parametrize("name", list(LAYER_KINDS))
def test_every_kind_s_smoke_grid_reaches_the_second_derivative_terms(name: str) -> None:
    """act'' is not 0 for tanh and sigmoid: each kind's smoke grid has both (and a bias), so the
    checks above fail when those terms are dropped (as they did, tried by hand)."""
    cases = _cases(name)
    assert {"tanh", "sigmoid"} <= {c.activation for c in cases}
    assert any(c.bias and c.activation in ("tanh", "sigmoid") for c in cases)


def test_bad_tangents_name_the_parameter() -> None:
    import gradgate.reference_impl as ref

    case = _cases("deconv2d")[0]
    d = case_data(case, 0)
    with pytest.raises(ValueError, match="tW must have the shape and dtype of W"):
        ref.jvp(d.X, d.X, d.b, d.X, d.W, d.b, case.cfg)
    with pytest.raises(ValueError, match="ddb must be None when b is None"):
        ref.double_backward(d.X, d.W, np.ones(3), d.dY, d.X, d.W, None, case.cfg)


# Each dtype's results against float64's on the same values, within a few units of its precision
# (the float64 scale of each quantity): float32 computes in float32, float16 and bfloat16 in float32
# with each result rounded once.
TOLERANCE = {"float32": 1e-5, "float16": 4e-3, "bfloat16": 3e-2}


@pytest.mark.parametrize("dtype", list(TOLERANCE))
def test_lower_precisions_come_back_in_their_dtype_and_close_to_float64(dtype: str) -> None:
    import gradgate.reference_impl as ref

    case64 = _cases("deconv2d")[3]
    case = case64.with_dtype(dtype)
    d = case_data(case, 0)
    wide = [None if a is None else a.astype(np.float64) for a in (d.X, d.W, d.b, d.dY)]
    X64, W64, b64, dY64 = wide
    got = [*ref.jvp(d.X, d.W, d.b, d.X, d.W, d.b, case.cfg)]
    got += ref.double_backward(d.X, d.W, d.b, d.dY, d.X, d.W, d.b, case.cfg)
    expected = [*ref.jvp(X64, W64, b64, X64, W64, b64, case64.cfg)]
    expected += ref.double_backward(X64, W64, b64, dY64, X64, W64, b64, case64.cfg)
    for g, e in zip(got, expected):
        if e is None:
            assert g is None
            continue
        assert g.dtype.name == dtype
        scale = max(1.0, float(np.abs(e).max()))
        assert float(np.abs(g.astype(np.float64) - e).max()) <= TOLERANCE[dtype] * scale


def test_a_tangent_of_another_dtype_is_refused_before_any_widening() -> None:
    import gradgate.reference_impl as ref

    case = _cases("deconv2d")[0].with_dtype("float16")
    d = case_data(case, 0)
    with pytest.raises(ValueError, match="tX must have the shape and dtype of X"):
        ref.jvp(d.X.astype(np.float32), d.W, d.b, d.X, d.W, d.b, case.cfg)
    with pytest.raises(ValueError, match="dY must be a numpy array of X's dtype, float16"):
        ref.double_backward(d.X, d.W, d.b, d.dY.astype(np.float32), d.X, d.W, d.b, case.cfg)
