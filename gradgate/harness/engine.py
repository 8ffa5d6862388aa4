"""The engine: one case through the implementation, the contract checks and the oracles.

The CLI and the pytest plugin both call `run_case`; nothing else decides a verdict.
"""

from __future__ import annotations

import dataclasses
import time
import traceback
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from gradgate.cases.axes import index_names
from gradgate.cases.case import Case
from gradgate.harness import crash_trail
from gradgate.harness.bounds import UNIT_ROUNDOFF, all_bounds, magnitudes, y_bound
from gradgate.harness.comparison import Check, compare, inconclusive_check
from gradgate.harness.contract_checks import (
    ContractViolation,
    changed_inputs,
    require_array,
    require_gradients,
    violation_check,
)
from gradgate.harness.data import CaseData, case_data
from gradgate.harness.deadline import CaseTimeout, deadline
from gradgate.harness.derivative_bounds import higher_bounds
from gradgate.harness.derivatives import (
    DEFAULT,
    FUNCTION,
    DerivativeUnsupported,
    require_jvp,
    second_order,
)
from gradgate.harness.layouts import layout_checks
from gradgate.harness.loading import Implementation
from gradgate.harness.oracles import ORACLES, OracleRun, oracle
from gradgate.harness.reach import reach_checks
from gradgate.harness.result import CaseResult


class ImplementationRaised(Exception):
    """The implementation under test raised; the case is `errored`."""


def _call(what: str, fn: Callable[..., Any], *args: Any) -> Any:
    try:
        with crash_trail.phase(what.partition("(")[0]):
            return fn(*args)
    except CaseTimeout:
        raise
    except Exception as exc:
        text = str(exc).strip().splitlines()
        first = f": {text[0]}" if text else ""
        raise ImplementationRaised(
            f"{what} raised {type(exc).__name__}{first}{_origin(exc)}"
        ) from exc


def _origin(exc: BaseException) -> str:
    """' at pkg/module.py:123 (`the line`)', the innermost frame that raised."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return ""
    frame = frames[-1]
    path = "/".join(frame.filename.replace("\\", "/").split("/")[-3:])
    line = f" (`{frame.line.strip()}`)" if frame.line else ""
    return f" at {path}:{frame.lineno}{line}"


def run_case(
    impl: Implementation,
    case: Case,
    *,
    oracles: Sequence[str] = ORACLES,
    seed: int = 0,
    timeout: float | None = None,
    hard_grace: float | None = None,
    derivatives: Sequence[str] = DEFAULT,
) -> CaseResult:
    """The verdict on one case; never raises for anything the implementation does."""
    result = CaseResult(case.id, "errored", case.as_report_config())
    start = time.perf_counter()
    try:
        with deadline(timeout, hard_grace):
            _evaluate(impl, case, oracles, seed, result, tuple(derivatives))
    except CaseTimeout:
        result.status = "errored"
        result.message = f"exceeded the per-case timeout of {timeout:g} s"
    except ImplementationRaised as exc:
        result.status = "errored"
        result.message = str(exc)
    result.duration_s = time.perf_counter() - start
    if result.status in ("failed", "errored"):
        rerun = rerun_command(impl.name, case.id, seed, tuple(derivatives))
        result.message += f". Rerun: {rerun}"
    return result


def rerun_command(
    impl_name: str, case_id: str, seed: int, derivatives: tuple[str, ...] = DEFAULT
) -> str:
    more = f" --derivatives {','.join(derivatives)}" if derivatives != DEFAULT else ""
    return f"gradgate run --impl {impl_name} --case {case_id} --seed {seed}{more}"


def _higher(
    impl: Implementation,
    case: Case,
    data: CaseData,
    derivatives: tuple[str, ...],
    result: CaseResult,
) -> dict[str, np.ndarray]:
    """The implementation's forward-mode and second-order results the run asks for; a missing
    function makes the case unsupported for that derivative (result.unsupported), a result
    that breaks the contract a failed `contract:NAME` check."""
    out: dict[str, np.ndarray] = {}
    for derivative, attr in (("forward", "jvp"), ("second", "double_backward")):
        if derivative not in derivatives:
            continue
        fn = getattr(impl, attr)
        if fn is None:
            result.unsupported[derivative] = impl.missing.get(
                derivative, f"the implementation has no {FUNCTION[derivative]}"
            )
            continue
        given = _copies(data)  # what a call changes in place stays out of every oracle's data
        try:
            if derivative == "forward":
                got = _call("jvp", fn, *given.tangents, given.X, given.W, given.b, case.cfg)
                out["jvp.Y"], out["jY"] = require_jvp(got, case)
            else:
                out.update(second_order(_call, fn, case, given, given.cotangents))
        except ContractViolation as exc:
            result.checks[f"contract:{attr}"] = violation_check(str(exc))
        except ImplementationRaised as exc:
            if not isinstance(exc.__cause__, DerivativeUnsupported):
                raise
            result.unsupported[derivative] = str(exc.__cause__)
        names = [f.name for f in dataclasses.fields(data)]
        changed = changed_inputs(
            {k: getattr(data, k) for k in names}, {k: getattr(given, k) for k in names}
        )
        if changed:
            result.checks[f"contract:{attr}_inputs"] = violation_check(
                f"{attr} modified its inputs: {changed}"
            )
    return out


def _copies(data: CaseData) -> CaseData:
    """The case's arrays, copied."""
    copies: dict[str, Any] = {}
    for f in dataclasses.fields(data):
        value = getattr(data, f.name)
        copies[f.name] = None if value is None else value.copy()
    return dataclasses.replace(data, **copies)


def _evaluate(
    impl: Implementation,
    case: Case,
    oracles: Sequence[str],
    seed: int,
    result: CaseResult,
    derivatives: tuple[str, ...] = DEFAULT,
) -> None:
    cfg = case.cfg
    reason = _call("supports(cfg)", impl.scope, cfg)
    if reason is not None:
        result.status, result.message = "unsupported", reason
        return
    data = case_data(case, seed)
    pristine = _copies(data)
    shapes = {"Y": case.y_shape, "dX": case.x_shape, "dW": case.w_shape, "db": (case.out_ch,)}
    checks = result.checks
    try:
        Y = require_array(
            "Y",
            _call("forward", impl.forward, data.X, data.W, data.b, cfg),
            shapes["Y"],
            case.dtype,
        )
        raw = _call("backward", impl.backward, data.dY, data.X, data.W, data.b, cfg)
        grads = require_gradients(raw, shapes, case.dtype, case.bias)
        again = require_gradients(
            _call("backward", impl.backward, data.dY, data.X, data.W, data.b, cfg),
            shapes,
            case.dtype,
            case.bias,
        )
    except ContractViolation as exc:
        checks["contract:outputs"] = violation_check(str(exc))
        _finish(result, case)
        return
    names = ("X", "W", "b", "dY")
    changed = changed_inputs(
        {k: getattr(pristine, k) for k in names}, {k: getattr(data, k) for k in names}
    )
    if changed:
        checks["contract:inputs"] = violation_check(f"the calls modified their inputs: {changed}")
        data = pristine  # judge the results on the inputs as they were

    mag = magnitudes(case, data)
    u = UNIT_ROUNDOFF[case.dtype]
    bounds = all_bounds(case, data, mag, case.precision)
    for q in grads:  # backward twice on the same inputs: the same answer, to rounding
        checks[f"repeat:{q}"] = compare(q, again[q], grads[q], bounds[q])
    got = {"Y": Y, **grads}
    # mag.Y, activation(b) where no product reaches, is rounded in float64 itself: its bound too
    reach_bounds = {**bounds, "Y": bounds["Y"] + y_bound(case, mag, UNIT_ROUNDOFF["float64"])}
    reach, wrong_where_unreached = reach_checks(case, got, mag.Y, reach_bounds)
    checks.update(reach)
    inputs = {"X": data.X, "W": data.W, "dY": data.dY, "b": data.b}
    with crash_trail.phase("layout"):
        checks.update(
            layout_checks(
                impl.forward, impl.backward, case, inputs, got, bounds, wrong_where_unreached
            )
        )

    higher = _higher(impl, case, data, derivatives, result)
    double_backward = impl.double_backward
    if "jvp.Y" in higher:  # jvp's Y is forward's, to the rounding of each
        checks["repeat:jvp.Y"] = compare("Y", higher.pop("jvp.Y"), Y, 2 * bounds["Y"])
    if higher:
        got.update(higher)
        bounds.update(higher_bounds(case, data, mag, case.precision, tuple(higher)))

    def checked_forward(
        X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: object, what: str
    ) -> np.ndarray:
        out = _call("forward", impl.forward, X, W, b, cfg)
        return require_array(what, out, shapes["Y"], case.dtype)

    run = OracleRun(
        case=case,
        data=data,
        mag=mag,
        u=u,
        got=got,
        bounds=bounds,
        forward=checked_forward,
        scope=lambda c: _call("supports(cfg)", impl.scope, c),
        backward=lambda X, W, b: require_gradients(
            _call("backward", impl.backward, data.dY, X, W, b, cfg),
            shapes,
            case.dtype,
            case.bias,
        ),
        double_backward=None
        if double_backward is None
        else lambda along: second_order(_call, double_backward, case, data, along),
    )
    for name in (o for o in ORACLES if o in oracles):  # registry order, as reports list them
        module = oracle(name)
        undecidable = getattr(module, "inconclusive", lambda c: None)(case)
        if undecidable:
            for q in _judged(module, got):
                checks[f"{name}:{q}"] = inconclusive_check(undecidable)
            continue
        try:
            with crash_trail.phase(f"oracle:{name}"):
                checks.update(oracle(name).checks(run))
        except ContractViolation as exc:  # what the implementation returned to the oracle
            checks[f"{name}:outputs"] = violation_check(str(exc))
    _cross_examine(checks)
    _finish(result, case)


def _judged(module: Any, got: dict[str, np.ndarray]) -> list[str]:
    """The quantities an oracle module checks for these results (see gradgate.harness.oracles):
    its `judged(got)`, else those of its JUDGES in got, else all."""
    if hasattr(module, "judged"):
        return list(module.judged(got))
    judges = getattr(module, "JUDGES", tuple(got))
    return [q for q in got if q in judges]


def _cross_examine(checks: dict[str, Check]) -> None:
    """fd failing where the adjoint test holds: the backward matches its own forward."""
    adjoint = [c for name, c in checks.items() if name.startswith("adjoint:")]
    if not adjoint or not all(c.passed for c in adjoint):
        return
    if "torch:Y" in checks and checks["torch:Y"].passed:
        return  # the forward agrees with torch: its geometry is not what differs
    for name, check in checks.items():
        if name.startswith("fd:") and not check.passed and "geometry" not in check.note:
            check.note = (
                "the adjoint test holds, so the backward is consistent with the forward: the "
                "forward's geometry likely differs from the configuration (see torch:Y)"
                + (f"; {check.note}" if check.note else "")
            )


def _finish(result: CaseResult, case: Case) -> None:
    failed = {name: c for name, c in result.checks.items() if not c.passed}
    result.status = "failed" if failed else "passed"
    result.message = "; ".join(describe(name, c) for name, c in failed.items())


def describe(name: str, check: Check) -> str:
    """One readable sentence: what is off, where, by how much, against which bound."""
    if check.statement:
        return f"{name}: {check.statement}" + (f"; {check.note}" if check.note else "")
    if check.error_ratio == float("inf") and check.note and check.expected is None:
        return f"{name}: {check.note}"
    quantity = name.split(":")[-1]
    if check.worst_index:
        axes = index_names(quantity, len(check.worst_index))
        where = ", ".join(f"{a}={i}" for a, i in zip(axes, check.worst_index))
        head = f"{name}: {check.n_off} of {check.n_checked} off; worst at ({where})"
    else:
        head = f"{name}: {check.relation or '<J u, v> vs <u, J^T v>'}"
    assert check.expected is not None and check.got is not None
    err = abs(check.got - check.expected)
    rel = err / abs(check.expected) if check.expected else float("inf")
    text = (
        f"{head}: expected {check.expected:.10g}, got {check.got:.10g}, "
        f"abs err {err:.3g}, rel err {rel:.3g}, "
        f"bound {check.bound:.3g} (ratio {check.error_ratio:.3g})"
    )
    if check.where:
        text += f"; {check.where}"
    if check.note:
        text += f"; {check.note}"
    return text
