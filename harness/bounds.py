"""Error bounds derived from the computation, element by element.

A float computation of a sum of m products satisfies |computed - exact| <= gamma(m) * sum|terms|
(gamma(m) = m u / (1 - m u), u the unit roundoff), whatever the order of summation.  So each
bound here is the same operation run on |X|, |W|, |dY| (the reference's linear maps in float64),
scaled by gamma of the number of terms, with the activation's error carried through its
Lipschitz constants.  A correct implementation cannot exceed these; a check passes at
error / bound <= 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cases.case import Case
from harness.data import CaseData
from reference_impl.activations import (
    KINK_JUMP,
    LIPSCHITZ,
    SECOND_DERIVATIVE_MAX,
    activate,
    activation_grad,
)

UNIT_ROUNDOFF: dict[str, float] = {"float64": 2.0**-53, "float32": 2.0**-24}
# Rounding errors (in units of u) allowed to an activation and its derivative.
ACTIVATION_ULPS = 4.0


def gamma(m: int, u: float) -> float:
    """gamma(m) = m u / (1 - m u), the relative error bound of m accumulated roundings."""
    if m * u >= 0.5:
        return float("inf")
    return m * u / (1 - m * u)


@dataclass(frozen=True)
class Magnitudes:
    """Exact-to-float64 values and |.|-magnitudes of the case, shared by every bound."""

    Z: np.ndarray  # pre-activation
    Y: np.ndarray
    act_grad: np.ndarray  # activation'(Z)
    dZ: np.ndarray  # dY * activation'(Z)
    abs_Z: np.ndarray  # |X| (*) |W| + |b|
    abs_dX: np.ndarray  # |dZ| (*)^T |W|
    abs_dW: np.ndarray  # |X| (*)^T |dZ|
    abs_db: np.ndarray


def magnitudes(case: Case, data: CaseData) -> Magnitudes:
    cfg, kind = case.cfg, case.kind
    linear_forward, linear_backward = kind.linear_forward, kind.linear_backward
    X, W = data.X.astype(np.float64), data.W.astype(np.float64)
    b = None if data.b is None else data.b.astype(np.float64)
    dY = data.dY.astype(np.float64)
    Z = linear_forward(X, W, b, cfg)
    Y = activate(case.activation, Z)
    act_grad = activation_grad(case.activation, Z, Y)
    dZ = dY * act_grad
    abs_Z = linear_forward(np.abs(X), np.abs(W), None if b is None else np.abs(b), cfg)
    abs_dX, abs_dW, abs_db = linear_backward(np.abs(dZ), np.abs(X), np.abs(W), cfg, True)
    assert abs_db is not None
    return Magnitudes(Z, Y, act_grad, dZ, abs_Z, abs_dX, abs_dW, abs_db)


def terms(case: Case) -> dict[str, int]:
    """How many products each element of Z, dX, dW and db sums (an upper bound)."""
    _, out_h, out_w, _ = case.y_shape
    return {
        "Y": case.kh * case.kw * (case.in_ch // case.groups) + int(case.bias) + 1,
        "dX": case.kh * case.kw * (case.out_ch // case.groups) + 1,
        "dW": case.kind.dw_terms(case) + 1,
        "db": case.batch * out_h * out_w + 1,
    }


def z_bound(case: Case, mag: Magnitudes, u: float) -> np.ndarray:
    """|computed Z - Z| for a computation with unit roundoff u."""
    return gamma(terms(case)["Y"], u) * mag.abs_Z


def y_bound(case: Case, mag: Magnitudes, u: float) -> np.ndarray:
    """|computed Y - Y|: Z's error through the activation, plus the activation's own rounding."""
    lip = LIPSCHITZ[case.activation]
    own = 0.0 if case.activation == "identity" else ACTIVATION_ULPS * u
    return lip * z_bound(case, mag, u) + own * np.abs(mag.Y)


def dz_bound(case: Case, data: CaseData, mag: Magnitudes, u: float) -> np.ndarray:
    """|computed dZ - dZ| where dZ = dY * activation'(Z) and Z itself carries an error."""
    act = case.activation
    abs_dY = np.abs(data.dY.astype(np.float64))
    if act == "identity":
        return np.zeros_like(mag.Z)
    err_z = z_bound(case, mag, u)
    m2 = SECOND_DERIVATIVE_MAX[act]
    if m2 is None:  # piecewise linear: the derivative may fall on either side of the kink
        err_grad = np.where(np.abs(mag.Z) <= err_z, KINK_JUMP[act], 0.0)
    else:
        err_grad = m2 * err_z + ACTIVATION_ULPS * u * LIPSCHITZ[act]
    return abs_dY * err_grad + u * np.abs(mag.dZ)


def gradient_bounds(case: Case, data: CaseData, mag: Magnitudes, u: float) -> dict[str, np.ndarray]:
    """Element-wise bounds on the error of dX, dW and db computed with unit roundoff u."""
    m = terms(case)
    err_dz = dz_bound(case, data, mag, u)
    X, W = np.abs(data.X.astype(np.float64)), np.abs(data.W.astype(np.float64))
    carried_dX, carried_dW, carried_db = case.kind.linear_backward(err_dz, X, W, case.cfg, True)
    assert carried_db is not None
    out = {
        "dX": gamma(m["dX"], u) * mag.abs_dX + (1 + gamma(m["dX"], u)) * carried_dX,
        "dW": gamma(m["dW"], u) * mag.abs_dW + (1 + gamma(m["dW"], u)) * carried_dW,
    }
    if case.bias:
        out["db"] = gamma(m["db"], u) * mag.abs_db + (1 + gamma(m["db"], u)) * carried_db
    return out


def all_bounds(case: Case, data: CaseData, mag: Magnitudes, u: float) -> dict[str, np.ndarray]:
    """Bounds for Y, dX, dW and (with bias) db at unit roundoff u."""
    return {"Y": y_bound(case, mag, u), **gradient_bounds(case, data, mag, u)}
