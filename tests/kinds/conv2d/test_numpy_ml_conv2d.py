"""numpy-ml 0.1.2's Conv2D compared directly with the reference Conv2D, on configurations its
constructor can express (one group, one int stride, one int dilation in numpy-ml's
convention: 0 = none, i.e. torch's dilation - 1).  docs/findings/numpy-ml-conv2d.md."""

from __future__ import annotations

import dataclasses
import importlib.util
import warnings

import numpy as np
import pytest

from gradgate.cases.case import Case
from gradgate.harness.adapters.layer_class import NUMPY_ML_ACTIVATIONS
from gradgate.harness.adapters.numpy_ml_compat import ensure_importable
from gradgate.reference_impl.conv2d import maths as conv2d
from tests.kinds.conv2d.conv2d_cases import arrays, sample_conv2d_cases

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("numpy_ml") is None, reason="numpy-ml is not installed"
)


def _expressible(count: int, seed: int) -> list[Case]:
    """Seeded cases made expressible: one group, the rows' stride and dilation on both axes."""
    out = []
    for case in sample_conv2d_cases(count, seed):
        s, d = case.stride[0], case.dilation[0]
        span_h, span_w = (d * (k - 1) + 1 for k in (case.kh, case.kw))
        top, bottom, left, right = case.padding
        out.append(
            dataclasses.replace(
                case,
                in_ch=case.in_ch // case.groups,
                groups=1,
                stride=(s, s),
                dilation=(d, d),
                size=(max(case.in_h, span_h - top - bottom), max(case.in_w, span_w - left - right)),
            )
        )
    return out


CASES = _expressible(60, seed=5)


def _numpy_ml(case: Case, X, W, b, dY):  # type: ignore[no-untyped-def]
    """Y, dX, dW, db from numpy-ml's layer with the case's weights and bias."""
    ensure_importable("numpy_ml")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numpy_ml.rl_models warns that gym is missing
        from numpy_ml.neural_nets.layers import Conv2D

    c = case.cfg
    layer = Conv2D(
        out_ch=case.out_ch,
        kernel_shape=(case.kh, case.kw),
        pad=c.padding,
        stride=c.stride[0],
        dilation=c.dilation[0] - 1,
        act_fn=NUMPY_ML_ACTIVATIONS[c.activation],
    )
    layer.forward(X[:1], retain_derived=False)  # builds the parameters
    zero_bias = np.zeros(case.out_ch, dtype=X.dtype)
    layer.parameters["W"] = W
    layer.parameters["b"] = (zero_bias if b is None else b).reshape(1, 1, 1, -1)
    Y = layer.forward(X)
    dX = layer.backward(dY)
    return Y, dX, layer.gradients["W"], layer.gradients["b"].reshape(-1)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_numpy_ml_conv2d_matches_the_reference(case: Case) -> None:
    X, W, b, dY = arrays(case, 11)
    got = dict(zip(("Y", "dX", "dW", "db"), _numpy_ml(case, X, W, b, dY)))
    X64, W64, dY64 = (a.astype(np.float64) for a in (X, W, dY))
    b64 = None if b is None else b.astype(np.float64)
    dX, dW, db = conv2d.backward(dY64, X64, W64, b64, case.cfg)
    expected = {"Y": conv2d.forward(X64, W64, b64, case.cfg), "dX": dX, "dW": dW}
    if b is not None:
        expected["db"] = db
    # float32: numpy-ml's sums run in float32 for Y and float64 elsewhere; 1e-4 of the scale
    # is far above float32 rounding for these sizes (at most 64 terms) and far below any
    # geometry error (which moves whole products).
    tol = 1e-11 if case.dtype == "float64" else 1e-4
    for q, value in expected.items():
        scale = np.abs(value).max() + 1
        np.testing.assert_allclose(got[q], value, rtol=0, atol=tol * scale, err_msg=q)


def test_numpy_ml_returns_float64_gradients_for_float32_input() -> None:
    """The one departure found: Y keeps float32, dX, dW and db come back float64."""
    case = next(c for c in CASES if c.dtype == "float32")
    got = _numpy_ml(case, *arrays(case, 11))
    assert [a.dtype.name for a in got] == ["float32", "float64", "float64", "float64"]


def test_cases_cover_what_numpy_ml_can_express() -> None:
    def has(pred) -> bool:  # type: ignore[no-untyped-def]
        return any(pred(c) for c in CASES)

    assert has(lambda c: c.cfg.stride[0] > 1) and has(lambda c: c.cfg.dilation[0] > 1)
    assert has(lambda c: c.cfg.padding[0] != c.cfg.padding[1])
    assert has(lambda c: c.cfg.padding[0] > c.kh - 1)
    assert has(lambda c: c.bias) and has(lambda c: not c.bias)
    assert {c.cfg.activation for c in CASES} == set(NUMPY_ML_ACTIVATIONS)
    assert {c.dtype for c in CASES} == {"float64", "float32"}
