"""Oracle 3: the dot-product test <J u, v> = <u, J^T v> with the implementation's own maps.

J^T v is the implementation's backward at v = dY.  J u is built from its forward: the layer is
Y = act(L(X, W) + b) with L bilinear, so for X and W the forward with the identity activation
and zero bias gives L(u, W) and L(X, u) exactly (up to rounding), and act'(Z) comes from the
same identity forward at the case's inputs.  With the identity activation the test is purely
linear and holds to machine precision; the bound is the rounding of both sides.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from gradgate.cases.case import Case
from gradgate.harness.bounds import Magnitudes, coarse_forward, gamma, terms
from gradgate.harness.comparison import Check, scalar_check
from gradgate.harness.data import CaseData
from gradgate.harness.derivative_bounds import inner_product_bound, second_order_bounds
from gradgate.harness.oracles import OracleRun
from gradgate.reference_impl.activations import activate, activation_grad

Forward = Callable[[np.ndarray, np.ndarray, "np.ndarray | None", object], np.ndarray]


def identity_config(case: Case) -> object:
    return dataclasses.replace(case.cfg, activation="identity")


def adjoint_checks(
    forward: Forward,
    grads: dict[str, np.ndarray],
    grad_bounds: dict[str, np.ndarray],
    case: Case,
    data: CaseData,
    mag: Magnitudes,
    u: float,
) -> dict[str, Check]:
    """adjoint:dX, adjoint:dW and (with bias) adjoint:db, from `grads` = backward(dY)."""
    cfg_lin = identity_config(case)
    zero_b = None if data.b is None else np.zeros_like(data.b)
    Z = np.asarray(forward(data.X, data.W, data.b, cfg_lin), dtype=np.float64)
    weights = data.dY.astype(np.float64) * activation_grad(
        case.activation, Z, activate(case.activation, Z)
    )
    abs_w = np.abs(weights)
    cfg = case.cfg
    X64, W64 = data.X.astype(np.float64), data.W.astype(np.float64)
    n_out = weights.size
    g_fwd = gamma(terms(case)["Y"], u)
    eps = np.finfo(np.float64).eps

    def inner_bound(
        lhs_terms: np.ndarray,
        rhs_terms: np.ndarray,
        fwd_err: np.ndarray,
        grad_err: np.ndarray,
        u_dir: np.ndarray,
    ) -> float:
        # The backward's error counts twice: act'(Z) on the left side carries it too.
        rounding = float((abs_w * fwd_err).sum() + 2 * (np.abs(u_dir) * grad_err).sum())
        summation = gamma(n_out + u_dir.size, eps / 2) * float(
            np.abs(lhs_terms).sum() + np.abs(rhs_terms).sum()
        )
        return rounding + summation

    checks: dict[str, Check] = {}
    directions = {"dX": (data.uX, data.W), "dW": (data.X, data.uW)}
    for q, (x_arg, w_arg) in directions.items():
        Ju = np.asarray(forward(x_arg, w_arg, zero_b, cfg_lin), dtype=np.float64)
        u_dir = (data.uX if q == "dX" else data.uW).astype(np.float64)
        lhs_terms = weights * Ju
        rhs_terms = u_dir * np.asarray(grads[q], dtype=np.float64)
        abs_x = np.abs(data.uX.astype(np.float64)) if q == "dX" else np.abs(X64)
        abs_wt = np.abs(W64) if q == "dX" else np.abs(data.uW.astype(np.float64))
        fwd_err = g_fwd * case.kind.linear_forward(abs_x, abs_wt, None, cfg)
        bound = inner_bound(lhs_terms, rhs_terms, fwd_err, grad_bounds[q], u_dir)
        checks[q] = scalar_check(float(lhs_terms.sum()), float(rhs_terms.sum()), bound)
    if data.b is not None and data.ub is not None and "db" in grads:
        ub = data.ub.astype(np.float64)
        lhs_terms = weights * ub  # J_b u broadcasts u over every output pixel
        rhs_terms = ub * np.asarray(grads["db"], dtype=np.float64)
        bound = inner_bound(lhs_terms, rhs_terms, np.zeros_like(weights), grad_bounds["db"], ub)
        checks["db"] = scalar_check(float(lhs_terms.sum()), float(rhs_terms.sum()), bound)
    return checks


NAME = "adjoint"
PHASE = "the adjoint oracle"
PICTURED = False  # its checks are two inner products, not element maps


def checks(run: OracleRun) -> dict[str, Check]:
    """The oracle: with the identity activation when the implementation supports it (else
    only on identity cases), through the implementation's own forward; and the identities of
    the higher derivatives the run holds (`higher_identities`)."""
    case = run.case
    lin_cfg = identity_config(case)
    out: dict[str, Check] = {}
    if case.activation == "identity" or run.scope(lin_cfg) is None:

        def linear(X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: object) -> np.ndarray:
            return run.forward(X, W, b, cfg, "Y (identity activation)")

        by_quantity = adjoint_checks(linear, run.grads, run.bounds, case, run.data, run.mag, run.u)
        out.update({f"{NAME}:{q}": check for q, check in by_quantity.items()})
    out.update({f"{NAME}:{q}": check for q, check in higher_identities(run).items()})
    return out


def _pairs(
    left: tuple[np.ndarray | None, ...], values: dict[str, np.ndarray], bounds: dict, names: tuple
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    return [
        (a.astype(np.float64), values[q].astype(np.float64), bounds[q])
        for a, q in zip(left, names)
        if a is not None and q in values
    ]


def _identity(
    lhs: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
    rhs: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
    relation: str,
) -> Check:
    """sum <a, v> over lhs against the same over rhs, within both sides' bounds."""
    bound = inner_product_bound(lhs) + inner_product_bound(rhs)
    left = float(sum((a * v).sum() for a, v, _ in lhs))
    right = float(sum((a * v).sum() for a, v, _ in rhs))
    check = scalar_check(left, right, bound)
    check.relation = relation
    return check


def higher_identities(run: OracleRun) -> dict[str, Check]:
    """Forward against reverse mode, and the symmetry of the Hessian, from the
    implementation's own results (bounds: each side's element bounds weighted by the other
    factor, plus float64's summation):

    - jY: <dY, jvp(t)> = <t, backward(dY)>;
    - gdY: <dY, gdY(dd)> = <dd, backward(dY)> (gdY is the forward's derivative along dd);
    - hessian: <t, H dd> = <dd, H t>, H dd being double_backward(dd)'s (gX, gW, gb): a second
      double_backward call, at cotangents t.
    """
    data, got, bounds = run.data, run.got, run.bounds
    first = ("dX", "dW", "db")
    higher = ("gX", "gW", "gb")
    dY = data.dY.astype(np.float64)
    out: dict[str, Check] = {}
    if "jY" in got:
        out["jY"] = _identity(
            [(dY, got["jY"].astype(np.float64), bounds["jY"])],
            _pairs(data.tangents, got, bounds, first),
            "<dY, jY(t)> vs <t, backward(dY)>",
        )
    if "gdY" in got:
        out["gdY"] = _identity(
            [(dY, got["gdY"].astype(np.float64), bounds["gdY"])],
            _pairs(data.cotangents, got, bounds, first),
            "<dY, gdY(dd)> vs <dd, backward(dY)>",
        )
    if "gX" in got and run.double_backward is not None:
        at_t = run.double_backward(data.tangents)
        bounds_t = second_order_bounds(run.case, data, run.mag, run.case.precision, data.tangents)
        out["hessian"] = _identity(
            _pairs(data.tangents, got, bounds, higher),
            _pairs(data.cotangents, at_t, bounds_t, higher),
            "<t, H dd> vs <dd, H t> (the Hessian's symmetry)",
        )
    return out


JUDGES = ("dX", "dW", "db", "jY", "gdY", "hessian")


def judged(got: dict[str, np.ndarray]) -> list[str]:
    """Its check quantities for these results: the second order's (gX, gW, gb) as one,
    `hessian`, the symmetry."""
    return [q for q in JUDGES if q in got or (q == "hessian" and "gX" in got)]


def inconclusive(case: Case) -> str | None:
    """<J u, v> from a forward of fewer than 24 bits carries that forward's rounding in every
    term: the test could not tell a wrong backward from the dtype's own rounding."""
    return coarse_forward(case, "the adjoint test")
