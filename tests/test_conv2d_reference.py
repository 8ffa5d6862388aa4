"""The reference Conv2D against torch conv2d (float64 autograd), its agreement with the
transposed convolution it is the adjoint of, and its argument validation."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import reference_impl as deconv
from harness.layers.conv2d.torch_oracle import torch_conv2d_results
from harness.layers.conv2d import reference as conv2d
from reference_impl.config import DeconvConfig
from harness.layers.conv2d.config import Conv2DConfig, conv2d_output_shape, make_conv2d_config
from tests.conv2d_cases import Conv2DCase, sample_conv2d_cases

CASES = sample_conv2d_cases(100, seed=2026)
EPS32 = float(np.finfo(np.float32).eps)


def _float32_bounds(case: Conv2DCase, X, W, b, dY) -> dict[str, np.ndarray]:  # type: ignore[no-untyped-def]
    """Per-element error bounds of a float32 computation against exact maths on the same data.

    A float32 sum of m products is within gamma_m = m * eps32 / (1 - m * eps32) of exact,
    relative to the sum of the products' magnitudes (Higham, Accuracy and Stability, 3.1);
    those magnitudes are the same linear maps on |X|, |W|, |b|, |dY| (computed here by the
    float64 oracle with the identity activation).  The activation adds a few roundings on Y;
    through f' (|f'| <= 1, |f''| <= 0.77) the error of Z reaches dZ, so dX, dW carry the
    terms of Z as well as their own.  Factor 2 for the GEMM's blocking and the activation.
    """
    identity = dataclasses.replace(case.cfg, activation="identity")
    mag = torch_conv2d_results(
        np.abs(X), np.abs(W), None if b is None else np.abs(b), np.abs(dY), identity
    )
    _, out_h, out_w, _ = dY.shape
    cig, cog = W.shape[2], W.shape[3] // case.cfg.groups
    z_terms = case.kh * case.kw * cig + 1
    terms = {
        "Y": z_terms + 4,
        "dX": case.kh * case.kw * cog + z_terms + 4,
        "dW": case.batch * out_h * out_w + z_terms + 4,
        "db": case.batch * out_h * out_w + z_terms + 4,
    }
    return {q: 2 * terms[q] * EPS32 * (mag[q] + 1e-30) for q in mag}


def _assert_matches(case: Conv2DCase, got: dict, expected: dict, arrays: tuple) -> None:
    """float64: to 1e-12; float32: within the per-element bounds of `_float32_bounds`."""
    if case.dtype == "float64":
        for q, value in expected.items():
            assert got[q].dtype == np.float64, q
            np.testing.assert_allclose(got[q], value, rtol=1e-12, atol=1e-12, err_msg=q)
        return
    bounds = _float32_bounds(case, *arrays)
    for q, value in expected.items():
        assert got[q].dtype == np.float32, q
        err = np.abs(got[q].astype(np.float64) - value)
        worst = np.unravel_index(np.argmax(err / bounds[q]), err.shape)
        assert np.all(err <= bounds[q]), f"{q}: error {err[worst]} > bound {bounds[q][worst]}"


def _reference_results(case: Conv2DCase, X, W, b, dY) -> dict:  # type: ignore[no-untyped-def]
    dX, dW, db = conv2d.backward(dY, X, W, b, case.cfg)
    return {"Y": conv2d.forward(X, W, b, case.cfg), "dX": dX, "dW": dW, "db": db}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_matches_torch_conv2d(case: Conv2DCase) -> None:
    arrays = case.arrays(seed=7)
    expected = torch_conv2d_results(*arrays[:3], arrays[3], case.cfg)  # float64, same values
    got = _reference_results(case, *arrays)
    assert (got["db"] is None) == (not case.bias)
    _assert_matches(case, got, expected, arrays)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_the_comparison_rejects_a_flipped_kernel(dtype: str) -> None:
    """Convolution instead of cross-correlation (W flipped in space): the classic slip must
    fail the same comparison, in float32 too (the float32 bounds are not vacuous)."""
    case = next(c for c in CASES if c.dtype == dtype and c.kh > 1 and c.kw > 1)
    X, W, b, dY = case.arrays(seed=7)
    expected = torch_conv2d_results(X, W, b, dY, case.cfg)
    got = _reference_results(case, X, np.ascontiguousarray(W[::-1, ::-1]), b, dY)
    with pytest.raises(AssertionError, match="Y"):
        _assert_matches(case, got, expected, (X, W, b, dY))


@pytest.mark.parametrize("case", CASES[:20], ids=lambda c: c.id)
def test_is_the_adjoint_of_the_transposed_convolution(case: Conv2DCase) -> None:
    """conv2d's Z is conv_transpose2d's dX and conv2d's dX is conv_transpose2d's Z, with the
    same stride, dilation and groups, the padding read as a crop, W's channel axes swapped,
    and the output padding that gives back the conv input's size."""
    X, W, _, dY = case.arrays(seed=3)
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
    arrays = case.arrays(seed=0)
    copies = [a.copy() for a in arrays if a is not None]
    X, W, b, dY = arrays
    conv2d.forward(X, W, b, case.cfg)
    conv2d.backward(dY, X, W, b, case.cfg)
    for before, after in zip(copies, [a for a in arrays if a is not None]):
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
    with pytest.raises(ValueError, match="X and W must both be float32 or both float64"):
        conv2d.forward(X.astype(np.float32), W, None, cfg)
    with pytest.raises(ValueError, match=r"dY must have shape \(1, 1, 1, 3\)"):
        conv2d.backward(np.zeros((1, 2, 2, 3)), X, W, None, cfg)


def test_padding_adds_zeros_around_the_input() -> None:
    X, W = np.ones((1, 1, 1, 1)), np.ones((2, 2, 1, 1))
    Y = conv2d.forward(X, W, None, make_conv2d_config(padding=(1, 0, 0, 2)))
    # padded input 2x3 with the one at (1, 0); every 2x2 window containing it sees 1
    np.testing.assert_array_equal(Y[0, :, :, 0], [[1.0, 0.0]])
