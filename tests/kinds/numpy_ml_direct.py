"""numpy-ml's layer classes built and called by hand, compared with torch float64: the verdict
the gate must reach on the same case, with nothing of the gate's adapter in between."""

from __future__ import annotations

from typing import Any

import numpy as np

from gradgate.cases.case import Case
from gradgate.harness.adapters.layer_class import NUMPY_ML_ACTIVATIONS
from gradgate.harness.data import case_data
from gradgate.harness.oracles.torch_autograd import torch_results


def direct_numpy_ml_verdict(case: Case, cls: type, **constructor: Any) -> str:
    """ "passed", "failed" or "errored" for numpy-ml's `cls` on `case` (the caller has ruled out
    what numpy-ml does not offer); `constructor` adds keywords, like Conv2D's dilation."""
    data = case_data(case, 0)
    kernel = (
        {"kernel_shape": case.kernel} if case.spatial == 2 else {"kernel_width": case.kernel[0]}
    )
    try:
        layer = cls(
            out_ch=case.out_ch,
            **kernel,
            pad=case.padding,
            stride=case.stride[0],
            act_fn=NUMPY_ML_ACTIVATIONS[case.activation],
            **constructor,
        )
        layer.forward(data.X, retain_derived=False)
        layer.parameters["W"] = data.W.copy()
        b = np.zeros(case.out_ch, data.X.dtype) if data.b is None else data.b
        layer.parameters["b"] = b.reshape((1,) * (case.spatial + 1) + (-1,)).copy()
        layer.gradients = {k: np.zeros_like(v) for k, v in layer.parameters.items()}
        Y = layer.forward(data.X.copy())
        dX = layer.backward(data.dY.copy())
    except Exception:
        return "errored"
    got = {"Y": Y, "dX": dX, "dW": layer.gradients["W"], "db": layer.gradients["b"].reshape(-1)}
    tol = 1e-9 if case.dtype == "float64" else 1e-3
    for q, value in torch_results(case, data).items():
        if got[q].shape != value.shape or not np.allclose(got[q], value, rtol=tol, atol=tol):
            return "failed"
    return "passed"
