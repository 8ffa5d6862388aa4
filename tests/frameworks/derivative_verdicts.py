"""Per-case verdicts of forward mode and the second order for one framework: the gate's and a
direct comparison's (issue 21).

Run in the framework's own process (tests/frameworks/verdict_runs.py), on a kind's smoke grid;
per case {derivative: (gate verdict, direct verdict, reason, the other oracles' failing checks,
whether the forward itself is off (torch:Y))}.

The gate checks the higher derivatives of a case whose forward and backward return what the
contract asks (arrays of the right shape and dtype); otherwise both verdicts are "not checked".
The gate's verdict of a derivative: `unsupported` when the case says so (the reason given),
`failed` when a torch check of that derivative's quantities, or its contract check, failed,
else `passed`; the other oracles' failing checks of it are listed beside (finite differences
of a forward that is itself off, as tinygrad's tanh near 0 is, fail with it).

The direct comparison calls the framework module's jvp or double_backward by hand and holds
every element to torch float64's within the gate's own bounds
(gradgate.harness.derivative_bounds at the case's precision, plus float64's):
`DerivativeUnsupported` is "unsupported", another exception "errored".
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np

from gradgate.cases.case import Case
from gradgate.cases.kinds import layer_kind
from gradgate.harness.bounds import UNIT_ROUNDOFF, magnitudes
from gradgate.harness.data import case_data
from gradgate.harness.derivative_bounds import higher_bounds
from gradgate.harness.derivatives import QUANTITIES, DerivativeUnsupported
from gradgate.harness.engine import run_case
from gradgate.harness.frameworks import ADAPTERS
from gradgate.harness.loading import load_implementation, module_for
from gradgate.harness.oracles.torch_autograd import kind_double_backward, kind_jvp

HIGHER = ("forward", "second")
CONTRACT = {"forward": "contract:jvp", "second": "contract:double_backward"}


def _expected(case: Case, derivative: str) -> dict[str, np.ndarray]:
    d = case_data(case, 0)
    if derivative == "forward":
        return {"jY": kind_jvp(case.kind, d.tangents, d.X, d.W, d.b, case.cfg)["tY"]}
    return kind_double_backward(case.kind, d.cotangents, d.dY, d.X, d.W, d.b, case.cfg)


def direct_verdict(module: Any, case: Case, derivative: str) -> tuple[str, str]:
    if module.supports(case.cfg) is not True:
        return "unsupported", "the case"
    d = case_data(case, 0)
    try:
        args = (d.X.copy(), d.W.copy(), None if d.b is None else d.b.copy())
        Y = module.forward(*args, case.cfg)
        grads = module.backward(d.dY.copy(), *args, case.cfg)
    except Exception:
        return "not checked", "the first derivative raised"
    shapes = (case.y_shape, case.x_shape, case.w_shape)
    if any(getattr(a, "shape", None) != s for a, s in zip((Y, *grads), shapes)):
        return "not checked", "the first derivative broke the contract"
    try:
        if derivative == "forward":
            got = dict(zip(("Y", "jY"), module.jvp(*d.tangents, d.X, d.W, d.b, case.cfg)))
        else:
            values = module.double_backward(*d.cotangents, d.dY, d.X, d.W, d.b, case.cfg)
            got = dict(zip(QUANTITIES["second"], values))
    except DerivativeUnsupported as exc:
        return "unsupported", str(exc)
    except Exception as exc:
        return "errored", f"{type(exc).__name__}: {exc}"[:200]
    expected = _expected(case, derivative)
    mag = magnitudes(case, d)
    quantities = tuple(expected)
    bounds = higher_bounds(case, d, mag, case.precision, quantities)
    u64 = UNIT_ROUNDOFF["float64"]
    bounds64 = higher_bounds(case, d, mag, u64, quantities)
    for q, value in expected.items():
        g = got.get(q)
        if not isinstance(g, np.ndarray) or g.shape != value.shape or g.dtype != case.dtype:
            return "failed", q
        if not (np.abs(g.astype(np.float64) - value) <= bounds[q] + bounds64[q]).all():
            return "failed", q
    return "passed", ""


def gate_verdict(result: Any, derivative: str) -> tuple[str, str, str]:
    """(verdict by the torch oracle and the contract, as the direct comparison judges; why;
    the other oracles' failing checks of the derivative, comma-separated)."""
    if derivative in result.unsupported:
        return "unsupported", result.unsupported[derivative], ""
    if result.status == "unsupported":
        return "unsupported", "the case", ""
    if result.status == "errored" or "contract:outputs" in result.checks:
        return "not checked", result.message[:200], ""
    quantities = QUANTITIES[derivative]
    ours = [
        name
        for name, check in result.checks.items()
        if not check.passed
        and (name.partition(":")[2] in quantities or name == CONTRACT[derivative])
        or (derivative == "second" and name == "adjoint:hessian" and not check.passed)
    ]
    by_torch = [n for n in ours if n.startswith(("torch:", "contract:"))]
    others = ",".join(n for n in ours if n not in by_torch)
    return ("failed" if by_torch else "passed"), ",".join(by_torch), others


def verdicts(
    name: str, dtype: str, positions: tuple[int, ...] | None = None, layer: str = "deconv2d"
) -> dict[str, dict[str, tuple[str, str, str, str, bool]]]:
    module_name = ADAPTERS[layer][name]
    impl = load_implementation(module_name, layer)
    module = importlib.import_module(module_for(module_name))
    cases = layer_kind(layer).grid_cases("smoke", (dtype,))
    if positions is not None:
        cases = [cases[i] for i in positions]
    out = {}
    for case in cases:
        result = run_case(impl, case, derivatives=("first", *HIGHER))
        per = {}
        forward_off = "torch:Y" in result.checks and not result.checks["torch:Y"].passed
        for derivative in HIGHER:
            gate, reason, others = gate_verdict(result, derivative)
            direct, _ = direct_verdict(module, case, derivative)
            per[derivative] = (gate, direct, reason, others, forward_off)
        out[case.id] = per
    return out
