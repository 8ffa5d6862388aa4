"""The numpy-ml-style Deconv2D layer: a shell over the functional core, with numpy-ml's API."""

from __future__ import annotations

import numpy as np
import pytest

import gradgate.reference_impl as ref
from gradgate.reference_impl import Deconv2D


def _layer(**kw: object) -> Deconv2D:
    args: dict = {
        "out_ch": 4,
        "kernel_shape": (3, 2),
        "pad": (1, 0, 2, 1),
        "stride": (2, 1),
        "dilation": (1, 2),
        "output_padding": (1, 0),
        "groups": 2,
        "act_fn": "tanh",
    }
    args.update(kw)
    return Deconv2D(**args)


def _inputs(seed: int = 0, dtype: type = np.float64) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1, 1, (2, 4, 5, 2)).astype(dtype)


def test_forward_backward_are_the_functional_core() -> None:
    layer = _layer()
    X = _inputs()
    Y = layer.forward(X)
    W, b = layer.parameters["W"], layer.parameters["b"]
    assert W.shape == (3, 2, 2, 2) and b.shape == (1, 1, 1, 4)
    np.testing.assert_array_equal(Y, ref.forward(X, W, b.reshape(-1), layer.cfg))
    dY = np.random.default_rng(1).uniform(-1, 1, Y.shape)
    dX = layer.backward(dY)
    eX, eW, eb = ref.backward(dY, X, W, b.reshape(-1), layer.cfg)
    np.testing.assert_array_equal(dX, eX)
    np.testing.assert_array_equal(layer.gradients["W"], eW)
    np.testing.assert_array_equal(layer.gradients["b"], eb.reshape(1, 1, 1, -1))


def test_lazy_init_is_seeded_and_follows_dtype() -> None:
    a, b = _layer(), _layer()
    assert not a.is_initialized and a.parameters == {}
    a.forward(_inputs()), b.forward(_inputs(5))
    np.testing.assert_array_equal(a.parameters["W"], b.parameters["W"])
    c = _layer(seed=1)
    c.forward(_inputs(dtype=np.float32))
    assert c.parameters["W"].dtype == np.float32
    assert not np.array_equal(c.parameters["W"], a.parameters["W"].astype(np.float32))


def test_gradients_accumulate_and_flush() -> None:
    layer = _layer()
    X = _inputs()
    dY = np.ones_like(layer.forward(X))
    layer.backward(dY)
    once = {k: v.copy() for k, v in layer.gradients.items()}
    layer.backward(dY)
    for k in once:
        np.testing.assert_allclose(layer.gradients[k], 2 * once[k])
    layer.flush_gradients()
    assert all(not v.any() for v in layer.gradients.values()) and layer.X == []


def test_several_retained_inputs_answer_with_a_list() -> None:
    layer = _layer()
    X1, X2 = _inputs(1), _inputs(2)
    dY1, dY2 = np.ones_like(layer.forward(X1)), 2 * np.ones_like(layer.forward(X2))
    with pytest.raises(ValueError, match="1 gradient\\(s\\) but 2 inputs are retained"):
        layer.backward(dY1)
    dXs = layer.backward([dY1, dY2])
    assert isinstance(dXs, list) and len(dXs) == 2
    W, b = layer.parameters["W"], layer.parameters["b"].reshape(-1)
    np.testing.assert_allclose(dXs[1], ref.backward(dY2, X2, W, b, layer.cfg)[0])


def test_retain_flags() -> None:
    layer = _layer()
    layer.forward(_inputs(), retain_derived=False)
    with pytest.raises(RuntimeError, match="needs a retained forward"):
        layer.backward(np.zeros(1))
    Y = layer.forward(_inputs())
    layer.backward(np.ones_like(Y), retain_grads=False)
    assert not layer.gradients["W"].any()


def test_frozen_layer_refuses_backward() -> None:
    layer = _layer()
    Y = layer.forward(_inputs())
    layer.freeze()
    with pytest.raises(RuntimeError, match="frozen"):
        layer.backward(np.ones_like(Y))
    layer.unfreeze()
    layer.backward(np.ones_like(Y))


def test_hyperparameters_and_activation_names() -> None:
    layer = _layer(act_fn="LeakyReLU(alpha=0.01)")
    layer.forward(_inputs())
    hp = layer.hyperparameters
    assert hp["layer"] == "Deconv2D" and hp["in_ch"] == 2 and hp["act_fn"] == "leaky_relu"
    assert hp["pad"] == (1, 0, 2, 1) and hp["stride"] == (2, 1) and hp["groups"] == 2
    assert Deconv2D(2, (1, 1), act_fn=None).cfg.activation == "identity"
    with pytest.raises(ValueError, match="act_fn must be"):
        Deconv2D(2, (1, 1), act_fn="softplus")


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"out_ch": 0}, "out_ch must be an int >= 1"),
        ({"kernel_shape": (0, 2)}, "kernel_shape must be"),
        ({"groups": 3}, "groups must divide out_ch = 4"),
        ({"init": "zeros"}, "init must be one of"),
        ({"stride": 0}, "stride must be >= 1"),
    ],
)
def test_bad_arguments(kw: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _layer(**kw)


def test_groups_must_divide_in_ch_at_first_forward() -> None:
    with pytest.raises(ValueError, match="groups must divide in_ch = 3"):
        _layer().forward(np.zeros((1, 2, 2, 3)))
