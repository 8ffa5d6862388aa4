"""The references' forward mode (`jvp`) and second order (`double_backward`), every kind, against
PyTorch float64: `torch.func.jvp` of the layer, and autograd of its create_graph backward."""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np
import pytest
import torch

from gradgate.cases.axes import channels_first, channels_last
from gradgate.cases.case import Case
from gradgate.cases.kinds import LAYER_KINDS, layer_kind
from gradgate.harness.data import case_data
from gradgate.harness.oracles.torch_autograd import torch_activation


def _reference(case: Case) -> Any:
    return importlib.import_module(f"gradgate.{case.kind.REFERENCE}")


def _like(arr: np.ndarray | None, rng: np.random.Generator) -> np.ndarray | None:
    return None if arr is None else rng.standard_normal(arr.shape).astype(arr.dtype)


class _Torch:
    """A case's layer in torch float64, taking and giving the contract's layouts."""

    def __init__(self, case: Case) -> None:
        self.case, self.kind = case, case.kind
        nd = len(case.x_shape)
        self.first, self.last = channels_first(nd), channels_last(nd)

    def x(self, arr: np.ndarray) -> torch.Tensor:
        return torch.tensor(np.ascontiguousarray(arr.transpose(self.first)), dtype=torch.float64)

    def w(self, arr: np.ndarray) -> torch.Tensor:
        t = arr.transpose(self.kind.TORCH_W_AXES)
        return torch.tensor(np.ascontiguousarray(t), dtype=torch.float64)

    def b(self, arr: np.ndarray | None) -> torch.Tensor | None:
        return None if arr is None else torch.tensor(arr, dtype=torch.float64)

    def layer(self, X: torch.Tensor, W: torch.Tensor, b: torch.Tensor | None) -> torch.Tensor:
        z = self.kind.torch_linear(X, W, b, self.case.cfg)
        return torch_activation(self.case.activation, z)

    def layer_of(self, *args: torch.Tensor) -> torch.Tensor:
        """The layer of (X, W) or (X, W, b)."""
        return self.layer(args[0], args[1], args[2] if len(args) > 2 else None)

    def back_x(self, t: torch.Tensor) -> np.ndarray:
        return t.detach().numpy().transpose(self.last)

    def back_w(self, t: torch.Tensor) -> np.ndarray:
        return t.detach().numpy().transpose(np.argsort(self.kind.TORCH_W_AXES))


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
        ref, t = _reference(case), _Torch(case)
        d = case_data(case, 0)
        tX, tW, tb = _like(d.X, rng), _like(d.W, rng), _like(d.b, rng)
        Y, tY = ref.jvp(tX, tW, tb, d.X, d.W, d.b, case.cfg)
        primals = (t.x(d.X), t.w(d.W)) + (() if d.b is None else (t.b(d.b),))
        tangents = (t.x(tX), t.w(tW)) + (() if tb is None else (t.b(tb),))
        eY, etY = torch.func.jvp(t.layer_of, primals, tangents)
        _close("Y", Y, t.back_x(eY), case)
        _close("tY", tY, t.back_x(etY), case)


@pytest.mark.parametrize("name", list(LAYER_KINDS))
def test_double_backward_is_torch_s_vjp_of_the_backward(name: str) -> None:
    rng = np.random.default_rng(22)
    for case in _cases(name):
        ref, t = _reference(case), _Torch(case)
        d = case_data(case, 0)
        ddX, ddW, ddb = _like(d.X, rng), _like(d.W, rng), _like(d.b, rng)
        got = ref.double_backward(ddX, ddW, ddb, d.dY, d.X, d.W, d.b, case.cfg)
        leaves = [t.x(d.X), t.w(d.W)] + ([] if d.b is None else [t.b(d.b)])
        dYt = t.x(d.dY).requires_grad_()
        for leaf in leaves:
            leaf.requires_grad_()
        Y = t.layer(leaves[0], leaves[1], leaves[2] if d.b is not None else None)
        grads = torch.autograd.grad(Y, leaves, dYt, create_graph=True)
        cotangents = [t.x(ddX), t.w(ddW)] + ([] if ddb is None else [t.b(ddb)])
        second = torch.autograd.grad(grads, [dYt, *leaves], cotangents, allow_unused=True)
        zeros = [dYt, *leaves]
        e = [torch.zeros_like(z) if s is None else s for s, z in zip(second, zeros)]
        _close("gdY", got[0], t.back_x(e[0]), case)
        _close("gX", got[1], t.back_x(e[1]), case)
        _close("gW", got[2], t.back_w(e[2]), case)
        if d.b is None:
            assert got[3] is None, case.id
        else:
            _close("gb", got[3], e[3].detach().numpy(), case)


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


@pytest.mark.parametrize("dtype", ["float32", "float16"])
def test_lower_precisions_come_back_in_their_dtype(dtype: str) -> None:
    import gradgate.reference_impl as ref

    case = _cases("deconv2d")[0].with_dtype(dtype)
    d = case_data(case, 0)
    Y, tY = ref.jvp(d.X, d.W, d.b, d.X, d.W, d.b, case.cfg)
    out = ref.double_backward(d.X, d.W, d.b, d.dY, d.X, d.W, d.b, case.cfg)
    assert {a.dtype.name for a in (Y, tY, *(o for o in out if o is not None))} == {dtype}
