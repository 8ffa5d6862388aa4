"""The torch oracle differentiates the scalar sum(dY * Y): the same gradients, to the bit, as
torch's vector-Jacobian product with dY as `grad_outputs` (which it avoids: that shape check
imports sympy in every gate worker)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from gradgate.cases.axes import channels_first, channels_last
from gradgate.cases.case import Case
from gradgate.cases.kinds import LAYER_KINDS, layer_kind
from gradgate.harness.data import CaseData, case_data
from gradgate.harness.oracles.torch_autograd import _leaf, kind_results, torch_activation


def _with_grad_outputs(case: Case, data: CaseData) -> dict[str, np.ndarray]:
    kind = case.kind
    first, last = channels_first(data.X.ndim), channels_last(data.X.ndim)
    Xt, Wt = _leaf(data.X.transpose(first)), _leaf(data.W.transpose(kind.TORCH_W_AXES))
    bt = None if data.b is None else _leaf(data.b)
    Y = torch_activation(case.activation, kind.torch_linear(Xt, Wt, bt, case.cfg))
    dYt = torch.tensor(np.array(data.dY.transpose(first), dtype=np.float64, order="C"))
    grads = torch.autograd.grad(Y, [t for t in (Xt, Wt, bt) if t is not None], dYt)
    out = {
        "dX": grads[0].numpy().transpose(last),
        "dW": grads[1].numpy().transpose(np.argsort(kind.TORCH_W_AXES)),
    }
    if bt is not None:
        out["db"] = grads[2].numpy()
    return out


@pytest.mark.parametrize("name", list(LAYER_KINDS))
def test_the_oracle_is_autograd_s_vjp_to_the_bit(name: str) -> None:
    for case in layer_kind(name).grid_cases("smoke", ("float64", "float32")):
        data = case_data(case, 0)
        got = kind_results(case.kind, data.X, data.W, data.b, data.dY, case.cfg)
        for q, expected in _with_grad_outputs(case, data).items():
            assert np.array_equal(got[q], expected), (case.id, q)
