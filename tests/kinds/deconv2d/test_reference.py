"""The reference Deconv2D against torch autograd (float64), and its argument validation."""

from __future__ import annotations

import numpy as np
import pytest

import gradgate.reference_impl as ref
from gradgate.cases.case import Case
from gradgate.harness.data import case_data
from gradgate.harness.oracles.torch_autograd import torch_results
from gradgate.reference_impl.activations import ACTIVATIONS


def _sample_cases(count: int, seed: int) -> list[Case]:
    """Seeded random valid configurations covering every feature, float64 and float32."""
    rng = np.random.default_rng(seed)
    out: list[Case] = []
    while len(out) < count:
        g = int(rng.integers(1, 4))
        s, d = rng.integers(1, 4, size=2), rng.integers(1, 4, size=2)
        op = [int(rng.integers(0, max(s[i], d[i]))) for i in range(2)]
        n_in, k = rng.integers(1, 7, size=2), rng.integers(1, 5, size=2)
        full = (n_in - 1) * s + d * (k - 1) + 1 + op
        crop = [int(rng.integers(0, f)) for f in full]
        before = [int(rng.integers(0, c + 1)) for c in crop]
        out.append(
            Case(
                batch=int(rng.integers(1, 4)),
                in_ch=g * int(rng.integers(1, 4)),
                out_ch=g * int(rng.integers(1, 4)),
                groups=g,
                size=(int(n_in[0]), int(n_in[1])),
                kernel=(int(k[0]), int(k[1])),
                stride=(int(s[0]), int(s[1])),
                padding=(before[0], crop[0] - before[0], before[1], crop[1] - before[1]),
                dilation=(int(d[0]), int(d[1])),
                output_padding=(op[0], op[1]),
                bias=bool(rng.integers(0, 2)),
                activation=ACTIVATIONS[len(out) % 5],
                dtype=("float64", "float32")[len(out) % 2],
            )
        )
    return out


@pytest.mark.parametrize("case", _sample_cases(120, seed=2026), ids=lambda c: c.id)
def test_matches_torch_autograd(case: Case) -> None:
    data = case_data(case, seed=7)
    expected = torch_results(case, data)
    Y = ref.forward(data.X, data.W, data.b, case.cfg)
    dX, dW, db = ref.backward(data.dY, data.X, data.W, data.b, case.cfg)
    got = {"Y": Y, "dX": dX, "dW": dW, "db": db}
    tol = 1e-12 if case.dtype == "float64" else 2e-5
    for q, value in expected.items():
        assert got[q].dtype == np.dtype(case.dtype), q
        np.testing.assert_allclose(got[q], value, rtol=tol, atol=tol, err_msg=q)
    assert (db is None) == (not case.bias)


def test_does_not_modify_arguments() -> None:
    case = _sample_cases(1, seed=3)[0]
    data = case_data(case, seed=0)
    copies = [a.copy() for a in (data.X, data.W, data.dY)]
    ref.forward(data.X, data.W, data.b, case.cfg)
    ref.backward(data.dY, data.X, data.W, data.b, case.cfg)
    for before, after in zip(copies, (data.X, data.W, data.dY)):
        np.testing.assert_array_equal(before, after)


def test_short_forms_normalise() -> None:
    cfg = ref.make_config(
        stride=2, padding=(1, 2), dilation=(1, 3), output_padding=1, activation=None
    )
    assert cfg.stride == (2, 2)
    assert cfg.padding == (1, 1, 2, 2)
    assert cfg.dilation == (1, 3)
    assert cfg.output_padding == (1, 1)
    assert cfg.activation == "identity"
    assert ref.make_config(padding=(0, 1, 2, 3)).padding == (0, 1, 2, 3)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"stride": 0}, "stride must be >= 1"),
        ({"stride": (1, -2)}, "stride must be >= 1"),
        ({"dilation": 0}, "dilation must be >= 1"),
        ({"padding": -1}, "padding must be >= 0"),
        ({"padding": (1, 2, 3)}, "padding must be an int"),
        ({"padding": "same"}, "padding must be an int"),
        ({"output_padding": 1}, r"output_padding on rows must be in .* = \[0, 0\], got 1"),
        (
            {"stride": 2, "output_padding": 2},
            r"output_padding on rows must be in .* = \[0, 1\], got 2",
        ),
        ({"groups": 0}, "groups must be >= 1"),
        ({"activation": "gelu"}, "activation must be one of"),
        ({"stride": 1.5}, "stride must be an int"),
    ],
)
def test_bad_config_names_the_parameter(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ref.make_config(**kwargs)


@pytest.mark.parametrize(
    ("x_shape", "w_shape", "kwargs", "message"),
    [
        ((1, 3, 3, 2), (3, 3, 4, 1), {}, "X has 2 input channels but W expects 4"),
        ((1, 3, 3, 3), (3, 3, 3, 1), {"groups": 2}, "groups must divide in_ch = 3"),
        ((3, 3, 2), (3, 3, 2, 1), {}, "X must have 4 dims"),
        ((1, 3, 3, 2), (3, 3, 2), {}, "W must have 4 dims"),
        ((1, 2, 2, 1), (2, 2, 1, 1), {"padding": (2, 2, 0, 0)}, "crops the output to -1x3"),
        ((1, 0, 2, 1), (2, 2, 1, 1), {}, "in_h must be >= 1"),
    ],
)
def test_bad_shapes_name_the_parameter(x_shape, w_shape, kwargs, message) -> None:  # type: ignore[no-untyped-def]
    X, W = np.zeros(x_shape), np.zeros(w_shape)
    with pytest.raises(ValueError, match=message):
        ref.forward(X, W, None, ref.make_config(**kwargs))


def test_bad_bias_and_dtypes() -> None:
    X, W = np.zeros((1, 2, 2, 2)), np.zeros((2, 2, 2, 3))
    cfg = ref.make_config()
    with pytest.raises(ValueError, match=r"b must have shape \(out_ch,\) = \(3,\)"):
        ref.forward(X, W, np.zeros(4), cfg)
    with pytest.raises(ValueError, match="X and W must have one dtype"):
        ref.forward(X.astype(np.float32), W, None, cfg)
    with pytest.raises(ValueError, match="dY must have shape"):
        ref.backward(np.zeros((1, 2, 2, 3)), X, W, None, cfg)


def test_padding_larger_than_kernel_minus_one() -> None:
    X = np.ones((1, 4, 4, 1))
    W = np.ones((2, 2, 1, 1))
    Y = ref.forward(X, W, None, ref.make_config(stride=2, padding=(3, 2, 0, 4)))
    assert Y.shape == (1, 3, 4, 1)  # full 8x8, cropped by 3+2 rows and 0+4 cols


@pytest.mark.parametrize("kind", ["deconv2d", "conv2d", "conv1d", "deconv1d", "conv3d", "deconv3d"])
@pytest.mark.parametrize("other", ["float32", "bfloat16"])
def test_a_half_precision_layer_refuses_arrays_of_another_dtype(kind: str, other: str) -> None:
    """X in float16 with W in float32 (or bfloat16): refused by name, as in float32 and float64,
    and not widened into looking alike first (it was accepted, and answered in float16)."""
    import importlib

    from gradgate.cases.kinds import layer_kind

    kind_ = layer_kind(kind)
    case = kind_.grid_cases("smoke", ("float16",))[0]
    module = importlib.import_module(f"gradgate.{kind_.REFERENCE}")
    d = case_data(case, 0)
    if other == "bfloat16":
        import ml_dtypes

        W = d.W.astype(ml_dtypes.bfloat16)
    else:
        W = d.W.astype(np.float32)
    with pytest.raises(ValueError, match="X and W must have one dtype"):
        module.forward(d.X, W, d.b, case.cfg)
    with pytest.raises(ValueError, match="X and W must have one dtype"):
        module.backward(d.dY, d.X, W, d.b, case.cfg)
