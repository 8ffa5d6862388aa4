"""The torch Conv2D oracle answers where torch 2.13's plain float64 conv2d autograd raises
("slow_conv2d: grad_weight must be contiguous"), and agrees with the numpy reference there.

docs/findings/torch-conv2d-float64.md describes the defect and the conditions pinned here.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gradgate.cases.case import Case
from gradgate.cases.kinds import layer_kind
from gradgate.harness.oracles.torch_autograd import kind_results
from gradgate.reference_impl.conv2d import maths as conv2d
from tests.kinds.conv2d.conv2d_cases import arrays, conv2d_case, sample_conv2d_cases

CONV2D = layer_kind("conv2d")
DEFECT_TORCH = torch.__version__.startswith("2.13.")


def _case(n, in_ch, out_ch, in_hw, k, s, pad, act="identity", bias=False) -> Case:  # type: ignore[no-untyped-def]
    return conv2d_case(n, in_ch, out_ch, in_hw, k, s, pad, activation=act, bias=bias)


# The configurations on which plain autograd on numpy views raised in a seeded search
# (300 random configurations, 5 raised), and the smallest one that shows it.
RAISING = [
    _case(1, 2, 1, (1, 2), (1, 2), (3, 1), (1, 1, 1, 2)),
    _case(1, 3, 1, (1, 3), (2, 2), (2, 1), (2, 2, 2, 1), "relu", True),
    _case(1, 3, 1, (3, 5), (1, 2), (3, 3), (2, 0, 0, 1), "tanh"),
    _case(3, 2, 1, (5, 3), (2, 3), (3, 2), (2, 1, 1, 0), "sigmoid", True),
    _case(3, 2, 1, (2, 5), (1, 2), (1, 3), (2, 2, 0, 1), "leaky_relu"),
    _case(1, 2, 1, (1, 2), (1, 2), (1, 1), (0, 0, 0, 0)),  # the smallest
]


def plain_autograd_on_views(case: Case, X: np.ndarray, W: np.ndarray) -> None:
    """The natural formulation: torch tensors that are NCHW views of the channels-last arrays."""
    Xt = torch.from_numpy(X).permute(0, 3, 1, 2).requires_grad_()
    Wt = torch.from_numpy(W).permute(3, 2, 0, 1).requires_grad_()
    top, bottom, left, right = case.cfg.padding
    Y = F.conv2d(
        F.pad(Xt, (left, right, top, bottom)),
        Wt,
        stride=case.cfg.stride,
        dilation=case.cfg.dilation,
        groups=case.cfg.groups,
    )
    torch.autograd.grad(Y, (Xt, Wt), torch.ones_like(Y))


def predicted_to_raise(case: Case) -> bool:
    """The conditions found: out_ch 1, in_ch > 1, a kernel of more than one tap, no dilation."""
    return (
        case.out_ch == 1
        and case.in_ch > 1
        and case.kh * case.kw > 1
        and case.cfg.dilation == (1, 1)
    )


@pytest.mark.skipif(not DEFECT_TORCH, reason="the defect was found in torch 2.13")
@pytest.mark.parametrize("case", RAISING, ids=lambda c: c.id)
def test_plain_autograd_raises_on_these(case: Case) -> None:
    X, W, _, _ = arrays(case, 0)
    with pytest.raises(RuntimeError, match="slow_conv2d: grad_weight must be contiguous"):
        plain_autograd_on_views(case, X, W)


@pytest.mark.parametrize("case", RAISING, ids=lambda c: c.id)
def test_oracle_answers_and_agrees_with_the_reference(case: Case) -> None:
    X, W, b, dY = arrays(case, 0)
    got = kind_results(CONV2D, X, W, b, dY, case.cfg)
    dX, dW, db = conv2d.backward(dY, X, W, b, case.cfg)
    expected = {"Y": conv2d.forward(X, W, b, case.cfg), "dX": dX, "dW": dW, "db": db}
    assert set(got) == ({"Y", "dX", "dW", "db"} if case.bias else {"Y", "dX", "dW"})
    for q, value in got.items():
        assert value.dtype == np.float64
        np.testing.assert_allclose(value, expected[q], rtol=1e-12, atol=1e-12, err_msg=q)


def _small_float64_cases() -> list[Case]:
    """Seeded float64 configurations; half of them with a single output channel (and one
    group), and half of those undilated."""
    out = []
    for i, case in enumerate(sample_conv2d_cases(120, seed=12)):
        if i % 2:
            dilation = (1, 1) if i % 4 == 1 else case.dilation
            case = dataclasses.replace(
                case, in_ch=case.in_ch // case.groups, out_ch=1, groups=1, dilation=dilation
            )
        out.append(dataclasses.replace(case, dtype="float64"))
    return out


@pytest.mark.skipif(not DEFECT_TORCH, reason="the defect was found in torch 2.13")
def test_the_conditions_predict_exactly_where_plain_autograd_raises() -> None:
    mismatches, raised = [], 0
    for case in _small_float64_cases():
        X, W, _, _ = arrays(case, 1)
        try:
            plain_autograd_on_views(case, X, W)
            did_raise = False
        except RuntimeError as e:
            assert "grad_weight must be contiguous" in str(e)
            did_raise = True
        raised += did_raise
        if did_raise != predicted_to_raise(case):
            mismatches.append((case.id, did_raise))
    assert raised >= 5, "the sample must contain configurations that show the defect"
    assert mismatches == []


def test_oracle_answers_on_every_sampled_configuration() -> None:
    for case in _small_float64_cases():
        X, W, b, dY = arrays(case, 1)
        got = kind_results(CONV2D, X, W, b, dY, case.cfg)
        dX, dW, _ = conv2d.backward(dY, X, W, b, case.cfg)
        np.testing.assert_allclose(got["dW"], dW, rtol=1e-12, atol=1e-12, err_msg=case.id)
        np.testing.assert_allclose(got["dX"], dX, rtol=1e-12, atol=1e-12, err_msg=case.id)


def test_oracle_checks_dy_shape() -> None:
    X, W, b, dY = arrays(RAISING[0], 0)
    with pytest.raises(ValueError, match=r"dY must have shape \(n, out_h, out_w, out_ch\)"):
        kind_results(CONV2D, X, W, b, dY[:, :0], RAISING[0].cfg)
