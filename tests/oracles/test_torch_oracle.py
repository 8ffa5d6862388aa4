"""The torch oracle differentiates the scalar sum(dY * Y): the same gradients, to the bit, as
torch's vector-Jacobian product with dY as `grad_outputs` (which it avoids: that shape check
imports sympy in every gate worker)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from gradgate.cases.case import Case
from gradgate.cases.kinds import LAYER_KINDS, layer_kind
from gradgate.harness.data import CaseData, case_data
from gradgate.harness.oracles.torch_autograd import _Layouts, kind_results


def _with_grad_outputs(case: Case, data: CaseData) -> dict[str, np.ndarray]:
    to = _Layouts(case.kind, data.X.ndim)
    inputs = to.leaves(data.X, data.W, data.b)
    dYt = torch.tensor(np.array(data.dY.transpose(to.first), dtype=np.float64, order="C"))
    grads = to.back(list(torch.autograd.grad(to.layer(case.cfg)(*inputs), inputs, dYt)))
    return dict(zip(("dX", "dW", "db"), grads))


@pytest.mark.parametrize("name", list(LAYER_KINDS))
def test_the_oracle_is_autograd_s_vjp_to_the_bit(name: str) -> None:
    for case in layer_kind(name).grid_cases("smoke", ("float64", "float32")):
        data = case_data(case, 0)
        got = kind_results(case.kind, data.X, data.W, data.b, data.dY, case.cfg)
        for q, expected in _with_grad_outputs(case, data).items():
            assert np.array_equal(got[q], expected), (case.id, q)
