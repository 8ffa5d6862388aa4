"""Element-wise error bounds of forward mode (jY) and of the second order (gdY, gX, gW, gb).

The same model as `gradgate.harness.bounds` for the first derivative: a sum of m products is off
by at most gamma(m) times the sum of its terms' magnitudes, each computed by the kind's own
linear map on |.|, and an error carried into a sum passes through the same map.  With
T = L(tX, W) + L(X, tW) + tb, Z's derivative along the tangents:

    jY  = act'(Z) * T                                  (forward mode along t = (tX, tW, tb))
    gdY = act'(Z) * T                                  (T along the cotangents dd)
    gX  = L_X^T(R; W) + L_X^T(dZ; ddW),  R = dY * act''(Z) * T
    gW  = L_W^T(X; R) + L_W^T(ddX; dZ)
    gb  = sum of R

(gradgate/reference_impl/higher_order.py derives them.)  act'(Z) and act''(Z) carry Z's own
error through the next derivative's bound (a kink's jump for relu and leaky_relu, where
act'' is 0 on both sides, as autograd takes it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gradgate.cases.case import Case
from gradgate.cases.dtypes import Precision
from gradgate.harness.bounds import (
    ACTIVATION_ULPS,
    Magnitudes,
    dz_bound,
    gamma,
    reduction_factor,
    roundings,
    slope_error,
    terms,
    y_bound,
    z_bound,
)
from gradgate.harness.data import CaseData
from gradgate.reference_impl.activations import (
    SECOND_DERIVATIVE_MAX,
    THIRD_DERIVATIVE_MAX,
    activation_second,
)

Arrays = tuple[np.ndarray, np.ndarray, "np.ndarray | None"]
# What each higher quantity is shaped and indexed like (reports, index names).
LIKE: dict[str, str] = {"jY": "Y", "gdY": "Y", "gX": "dX", "gW": "dW", "gb": "db"}


def _f64(arrays: Arrays) -> Arrays:
    a, b, c = arrays
    return a.astype(np.float64), b.astype(np.float64), None if c is None else c.astype(np.float64)


@dataclass(frozen=True)
class Tangent:
    """Z's derivative T along (tX, tW, tb), its magnitude (the sum of its terms' |.|), and the
    error of computing it."""

    T: np.ndarray
    abs_T: np.ndarray
    err_T: np.ndarray


def tangent_of_z(case: Case, data: CaseData, along: Arrays, u: float | Precision) -> Tangent:
    L = case.kind.linear_forward
    X, W = data.X.astype(np.float64), data.W.astype(np.float64)
    tX, tW, tb = _f64(along)
    T = L(tX, W, tb, case.cfg) + L(X, tW, None, case.cfg)
    abs_T = L(np.abs(tX), np.abs(W), None if tb is None else np.abs(tb), case.cfg) + L(
        np.abs(X), np.abs(tW), None, case.cfg
    )
    r = roundings(u)
    m = 2 * (terms(case)["Y"] - int(case.bias) - 1) + int(case.bias) + 1
    err = reduction_factor(m, r) * abs_T
    if r.store:  # L(tX, W), L(X, tW), their sum and tb's addition, each stored
        err = err + 4 * r.store * abs_T + r.tiny
    return Tangent(T, abs_T, err)


def tangent_bound(
    case: Case, data: CaseData, mag: Magnitudes, u: float | Precision, along: Arrays
) -> np.ndarray:
    """|computed act'(Z) * T - act'(Z) * T|: jY along the tangents, gdY along the cotangents."""
    r = roundings(u)
    t = tangent_of_z(case, data, along, u)
    slope = np.abs(mag.act_grad)
    out = slope * t.err_T + slope_error(case, mag, u) * (np.abs(t.T) + t.err_T)
    out = out + r.work * slope * np.abs(t.T)
    return out + r.store * slope * np.abs(t.T) + r.tiny if r.store else out


def second_slope_error(case: Case, mag: Magnitudes, u: float | Precision) -> np.ndarray | float:
    """|computed act''(Z) - act''(Z)|: 0 for identity, relu and leaky_relu (0 on both sides)."""
    act = case.activation
    m2 = SECOND_DERIVATIVE_MAX[act]
    if m2 is None or m2 == 0.0:
        return 0.0
    r = roundings(u)
    # Z's error through act''', then act'' evaluated from Y (torch's -2Y(1 - Y^2)): Y's own
    # rounding (ACTIVATION_ULPS) through |d act''/dY| <= 4 (tanh; 1 for sigmoid), and the
    # formula's three roundings
    err = THIRD_DERIVATIVE_MAX[act] * z_bound(case, mag, u)
    err = err + 4 * ACTIVATION_ULPS[act] * r.work * np.abs(mag.Y) + 3 * r.work * m2
    if r.store:  # computed from the stored Y
        err = err + 4 * y_bound(case, mag, u)
    return err


def second_order_bounds(
    case: Case,
    data: CaseData,
    mag: Magnitudes,
    u: float | Precision,
    along: Arrays,
) -> dict[str, np.ndarray]:
    """Bounds on gdY, gX, gW and (with bias) gb at cotangents `along` = (ddX, ddW, ddb)."""
    r = roundings(u)
    dz_err = dz_bound(case, data, mag, u)  # dZ's own error, carried by L_X^T(dZ; ddW), ...
    cfg, LT = case.cfg, case.kind.linear_backward
    t = tangent_of_z(case, data, along, u)
    abs_dY = np.abs(data.dY.astype(np.float64))
    second = activation_second(case.activation, mag.Z, mag.Y)
    R = data.dY.astype(np.float64) * second * t.T
    err_R = abs_dY * (
        second_slope_error(case, mag, u) * (np.abs(t.T) + t.err_T) + np.abs(second) * t.err_T
    ) + 2 * r.work * np.abs(R)
    ddX, ddW, _ = _f64(along)
    absX, absW = np.abs(data.X.astype(np.float64)), np.abs(data.W.astype(np.float64))
    # L's transposes: (L_X^T(A; Q), L_W^T(P; A), sum A) = LT(A, P, Q)
    rX, rW, rb = LT(np.abs(R), absX, absW, cfg, True)
    zX, zW, _ = LT(np.abs(mag.dZ), np.abs(ddX), np.abs(ddW), cfg, False)
    eX, eW, eb = LT(err_R, absX, absW, cfg, True)
    fX, fW, _ = LT(dz_err, np.abs(ddX), np.abs(ddW), cfg, False)
    assert rb is not None and eb is not None
    m = terms(case)
    sums = {
        "gX": (rX + zX, eX + fX, 2 * m["dX"]),
        "gW": (rW + zW, eW + fW, 2 * m["dW"]),
        "gb": (rb, eb, m["db"]),
    }
    out = {"gdY": tangent_bound(case, data, mag, u, along)}
    for q, (magnitude, carried, count) in sums.items():
        if q == "gb" and not case.bias:
            continue
        factor = gamma(count, r.acc) if q == "gb" else reduction_factor(count, r)
        bound = factor * magnitude + (1 + gamma(count, r.acc)) * carried
        out[q] = bound + r.store * (magnitude + carried) + r.tiny if r.store else bound
    return out


def higher_bounds(
    case: Case,
    data: CaseData,
    mag: Magnitudes,
    u: float | Precision,
    quantities: tuple[str, ...],
) -> dict[str, np.ndarray]:
    """The bounds of the higher quantities asked for (jY; gdY, gX, gW, gb) at the case's
    tangents and cotangents."""
    out: dict[str, np.ndarray] = {}
    if "jY" in quantities:
        out["jY"] = tangent_bound(case, data, mag, u, data.tangents)
    if "gdY" in quantities:
        out.update(second_order_bounds(case, data, mag, u, data.cotangents))
    return out


def inner_product_bound(pairs: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> float:
    """|<a, v> computed from approximate v - exact|, summed over (a, v, bound of v) pairs: each
    v's element error weighted by |a|, plus float64's rounding of the sums."""
    n = sum(a.size for a, _, _ in pairs)
    weighted = sum(float((np.abs(a) * e).sum()) for a, _, e in pairs)
    total = sum(float(np.abs(a * v).sum()) for a, v, _ in pairs)
    return weighted + gamma(n, np.finfo(np.float64).eps / 2) * total
