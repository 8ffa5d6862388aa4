"""The reference Conv2D against torch conv2d (float64 autograd), its agreement with the
transposed convolution it is the adjoint of, and its argument validation."""

from __future__ import annotations

import numpy as np
import pytest

import gradgate.reference_impl as deconv
from gradgate.cases.case import Case
from gradgate.harness.bounds import UNIT_ROUNDOFF, all_bounds, magnitudes
from gradgate.harness.data import CaseData, case_data
from gradgate.harness.oracles.torch_autograd import torch_results
from gradgate.reference_impl.conv2d import maths as conv2d
from gradgate.reference_impl.conv2d.config import (
    Conv2DConfig,
    conv2d_output_shape,
    make_conv2d_config,
)
from gradgate.reference_impl.deconv2d.config import DeconvConfig
from tests.kinds.conv2d.conv2d_cases import arrays, sample_conv2d_cases

CASES = sample_conv2d_cases(100, seed=2026)


def _assert_matches(case: Case, got: dict, expected: dict, data: CaseData) -> None:
    """Every element within the gate's own bound (gradgate.harness.bounds: rounding of a computation
    in the case's dtype, plus float64's for torch's side), as the torch oracle holds it."""
    mag = magnitudes(case, data)
    bounds = all_bounds(case, data, mag, UNIT_ROUNDOFF[case.dtype])
    bounds64 = all_bounds(case, data, mag, UNIT_ROUNDOFF["float64"])
    for q, value in expected.items():
        assert got[q].dtype == np.dtype(case.dtype), q
        err = np.abs(got[q].astype(np.float64) - value)
        allowed = bounds[q] + bounds64[q]
        worst = np.unravel_index(np.argmax(err - allowed), err.shape)
        assert np.all(err <= allowed), f"{q}: error {err[worst]} > bound {allowed[worst]}"


def _reference_results(case: Case, X, W, b, dY) -> dict:  # type: ignore[no-untyped-def]
    dX, dW, db = conv2d.backward(dY, X, W, b, case.cfg)
    return {"Y": conv2d.forward(X, W, b, case.cfg), "dX": dX, "dW": dW, "db": db}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_matches_torch_conv2d(case: Case) -> None:
    data = case_data(case, 7)
    expected = torch_results(case, data)  # float64, on the same values
    got = _reference_results(case, data.X, data.W, data.b, data.dY)
    assert (got["db"] is None) == (not case.bias)
    _assert_matches(case, got, expected, data)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_the_comparison_rejects_a_flipped_kernel(dtype: str) -> None:
    """Convolution instead of cross-correlation (W flipped in space): the classic slip must
    fail the same comparison, in float32 too (the float32 bounds are not vacuous)."""
    case = next(c for c in CASES if c.dtype == dtype and c.kh > 1 and c.kw > 1)
    data = case_data(case, 7)
    expected = torch_results(case, data)
    flipped = np.ascontiguousarray(data.W[::-1, ::-1])
    got = _reference_results(case, data.X, flipped, data.b, data.dY)
    with pytest.raises(AssertionError, match="Y"):
        _assert_matches(case, got, expected, data)


@pytest.mark.parametrize("case", CASES[:20], ids=lambda c: c.id)
def test_is_the_adjoint_of_the_transposed_convolution(case: Case) -> None:
    """conv2d's Z is conv_transpose2d's dX and conv2d's dX is conv_transpose2d's Z, with the
    same stride, dilation and groups, the padding read as a crop, W's channel axes swapped,
    and the output padding that gives back the conv input's size."""
    X, W, _, dY = arrays(case, 3)
    X, W, dY = X.astype(np.float64), W.astype(np.float64), dY.astype(np.float64)
    c = case.cfg
    top, bottom, left, right = c.padding
    _, out_h, out_w, _ = dY.shape
    op = tuple(
        size + before + after - ((out - 1) * s + d * (k - 1) + 1)
        for size, before, after, out, s, d, k in (
            (case.in_h, top, bottom, out_h, c.stride[0], c.dilation[0], case.kh),
            (case.in_w, left, right, out_w, c.stride[1], c.dilation[1], case.kw),
        )
    )
    dcfg = DeconvConfig(c.stride, c.padding, c.dilation, op, c.groups)  # type: ignore[arg-type]
    W_t = np.ascontiguousarray(W.transpose(0, 1, 3, 2))  # (kh, kw, out_ch, in_ch // groups)
    Z = conv2d.linear_forward(X, W, None, c)
    dX, _, _ = conv2d.linear_backward(dY, X, W, c, with_bias=False)
    np.testing.assert_allclose(deconv.linear_forward(dY, W_t, None, dcfg), dX, atol=1e-12)
    Z_t, _, _ = deconv.linear_backward(X, dY, W_t, dcfg, with_bias=False)
    np.testing.assert_allclose(Z_t, Z, atol=1e-12)


def test_does_not_modify_arguments() -> None:
    case = next(c for c in CASES if c.bias and c.cfg.activation != "identity")
    inputs = arrays(case, 0)
    copies = [a.copy() for a in inputs if a is not None]
    X, W, b, dY = inputs
    conv2d.forward(X, W, b, case.cfg)
    conv2d.backward(dY, X, W, b, case.cfg)
    for before, after in zip(copies, [a for a in inputs if a is not None]):
        np.testing.assert_array_equal(before, after)


def test_short_forms_normalise() -> None:
    cfg = make_conv2d_config(stride=2, padding=(1, 2), dilation=(1, 3), activation=None)
    assert cfg == Conv2DConfig(
        stride=(2, 2), padding=(1, 1, 2, 2), dilation=(1, 3), groups=1, activation="identity"
    )
    assert make_conv2d_config(padding=(0, 1, 2, 3)).padding == (0, 1, 2, 3)


def test_output_shape_formula() -> None:
    # out = (in + top + bottom - dilation * (k - 1) - 1) // stride + 1, per axis
    cfg = make_conv2d_config(stride=(2, 3), padding=(1, 0, 2, 1), dilation=(2, 1))
    assert conv2d_output_shape((2, 7, 8, 4), (3, 2, 4, 5), cfg) == (2, 2, 4, 5)
    Y = conv2d.forward(np.ones((2, 7, 8, 4)), np.ones((3, 2, 4, 5)), None, cfg)
    assert Y.shape == (2, 2, 4, 5)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"stride": 0}, "stride must be >= 1"),
        ({"stride": (1, -2)}, "stride must be >= 1"),
        ({"dilation": 0}, "dilation must be >= 1"),
        ({"padding": -1}, "padding must be >= 0"),
        ({"padding": (1, 2, 3)}, "padding must be an int"),
        ({"padding": "same"}, "padding must be an int"),
        ({"groups": 0}, "groups must be >= 1"),
        ({"activation": "gelu"}, "activation must be one of"),
        ({"stride": 1.5}, "stride must be an int"),
    ],
)
def test_bad_config_names_the_parameter(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_conv2d_config(**kwargs)


def test_output_padding_is_refused() -> None:
    X, W = np.zeros((1, 4, 4, 1)), np.zeros((2, 2, 1, 1))
    with pytest.raises(ValueError, match=r"output_padding must be \(0, 0\) for Conv2D"):
        conv2d.forward(X, W, None, DeconvConfig(stride=(2, 2), output_padding=(1, 0)))
    # a Deconv2D-shaped config without output padding is read by attribute and accepted
    assert conv2d.forward(X, W, None, DeconvConfig()).shape == (1, 3, 3, 1)


@pytest.mark.parametrize(
    ("x_shape", "w_shape", "kwargs", "message"),
    [
        ((1, 3, 3, 4), (3, 3, 4, 2), {"groups": 2}, r"W.shape\[2\] must be in_ch // groups"),
        ((1, 3, 3, 2), (1, 1, 3, 2), {}, r"W.shape\[2\] must be in_ch // groups = 2 // 1"),
        ((1, 3, 3, 3), (3, 3, 1, 2), {"groups": 2}, "groups must divide in_ch = 3"),
        ((1, 3, 3, 4), (3, 3, 2, 3), {"groups": 2}, r"groups must divide out_ch = 3"),
        ((3, 3, 2), (3, 3, 2, 1), {}, "X must have 4 dims"),
        ((1, 3, 3, 2), (3, 3, 2), {}, "W must have 4 dims"),
        ((1, 2, 2, 1), (3, 3, 1, 1), {}, r"dilated kernel \(3x3\) must fit in the padded input"),
        ((1, 4, 4, 1), (2, 2, 1, 1), {"dilation": 4}, r"dilated kernel \(5x5\) must fit"),
        ((1, 0, 2, 1), (2, 2, 1, 1), {}, "in_h must be >= 1"),
        ((1, 2, 2, 1), (1, 1, 1, 0), {}, "W out_ch must be >= 1"),
    ],
)
def test_bad_shapes_name_the_parameter(x_shape, w_shape, kwargs, message) -> None:  # type: ignore[no-untyped-def]
    X, W = np.zeros(x_shape), np.zeros(w_shape)
    with pytest.raises(ValueError, match=message):
        conv2d.forward(X, W, None, make_conv2d_config(**kwargs))


def test_bad_bias_dy_and_dtypes() -> None:
    X, W = np.zeros((1, 2, 2, 2)), np.zeros((2, 2, 2, 3))
    cfg = make_conv2d_config()
    with pytest.raises(ValueError, match=r"b must have shape \(out_ch,\) = \(3,\)"):
        conv2d.forward(X, W, np.zeros(4), cfg)
    with pytest.raises(ValueError, match=r"b must have shape \(out_ch,\) = \(3,\)"):
        conv2d.backward(np.zeros((1, 1, 1, 3)), X, W, np.zeros(4), cfg)
    with pytest.raises(ValueError, match="X and W must have one dtype"):
        conv2d.forward(X.astype(np.float32), W, None, cfg)
    with pytest.raises(ValueError, match=r"dY must have shape \(1, 1, 1, 3\)"):
        conv2d.backward(np.zeros((1, 2, 2, 3)), X, W, None, cfg)


def test_padding_adds_zeros_around_the_input() -> None:
    X, W = np.ones((1, 1, 1, 1)), np.ones((2, 2, 1, 1))
    Y = conv2d.forward(X, W, None, make_conv2d_config(padding=(1, 0, 0, 2)))
    # padded input 2x3 with the one at (1, 0); every 2x2 window containing it sees 1
    np.testing.assert_array_equal(Y[0, :, :, 0], [[1.0, 0.0]])
