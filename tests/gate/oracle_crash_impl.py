"""The reference, loaded together with a fault in the torch oracle: it segfaults on tanh cases.

Importing this module replaces the torch oracle in that process (`torch_results`, which the
engine calls; as a native crash in PyTorch would strike it), so the
gate must blame the oracle, rerun the case without it, and judge the implementation on the
other oracles. With GRADGATE_TEST_BUG=dW in the environment the implementation's weight
gradient is also wrong (by 1%), which those oracles must still see.  With
GRADGATE_TEST_ORACLE_FAULT=hang the oracle hangs past the soft time limit instead of crashing.
"""

from __future__ import annotations

import os
from typing import Any

import gradgate.harness.oracles.torch_autograd as torch_oracle
import gradgate.reference_impl as ref
from tests.gate.faulty_impls import _hang_unstoppably, _segfault

_real_torch_results = torch_oracle.torch_results


def _crashing_torch_results(case: Any, data: Any) -> Any:
    if case.activation == "tanh":
        if os.environ.get("GRADGATE_TEST_ORACLE_FAULT") == "hang":
            _hang_unstoppably()
        _segfault()
    return _real_torch_results(case, data)


torch_oracle.torch_results = _crashing_torch_results
forward = ref.forward


def backward(dY, X, W, b, cfg):  # type: ignore[no-untyped-def]
    dX, dW, db = ref.backward(dY, X, W, b, cfg)
    if os.environ.get("GRADGATE_TEST_BUG") == "dW":
        dW = dW * 1.01
    return dX, dW, db
