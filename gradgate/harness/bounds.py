"""Error bounds derived from the computation, element by element.

A float computation of a sum of m products satisfies |computed - exact| <= gamma(m) * sum|terms|
(gamma(m) = m u / (1 - m u), u the unit roundoff), whatever the order of summation.  So each
bound here is the same operation run on |X|, |W|, |dY| (the reference's linear maps in float64),
scaled by gamma of the number of terms, with the activation's error carried through its
Lipschitz constants.  A correct implementation cannot exceed these; a check passes at
error / bound <= 1.

A bound is taken at one precision: a unit roundoff u (every rounding at u, as float64 and
float32 cases compute), or a case's declared `Precision` (gradgate/cases/dtypes.py): the products'
factors rounded to TF32, sums accumulated at the accumulation precision, and intermediates
and results stored in a coarser dtype (float16, bfloat16), each adding its own term.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from gradgate.cases.case import Case
from gradgate.cases.dtypes import SIGNIFICAND_BITS, Precision
from gradgate.harness.data import CaseData
from gradgate.reference_impl.activations import (
    KINK_JUMP,
    LIPSCHITZ,
    SECOND_DERIVATIVE_MAX,
    activate,
    activation_grad,
)

UNIT_ROUNDOFF: dict[str, float] = {name: 2.0**-p for name, p in SIGNIFICAND_BITS.items()}
# Below the normal range a rounding's error is absolute: half the smallest subnormal.  Only
# float16's matters at gradgate's magnitudes (bfloat16 shares float32's exponent range).
SUBNORMAL_HALF: dict[str, float] = {"float16": 2.0**-25, "bfloat16": 2.0**-134}
# Rounding errors (in units of u) allowed to an activation and its derivative: relu is exact;
# leaky_relu rounds its slope and one product; tanh and sigmoid are library functions (a few
# ulps in a 16-bit dtype, where frameworks evaluate them).
ACTIVATION_ULPS: dict[str, float] = {
    "identity": 0.0,
    "relu": 0.0,
    "leaky_relu": 2.0,
    "tanh": 4.0,
    "sigmoid": 4.0,
}


@dataclass(frozen=True)
class Roundings:
    """The unit roundoffs one computation applies: accumulation, products' factors (beyond
    the stored dtype; 0 when exact) and storage of intermediates and results (beyond the
    accumulation; 0 when not coarser)."""

    acc: float
    inputs: float = 0.0
    store: float = 0.0
    tiny: float = 0.0  # half the storage dtype's smallest subnormal: rounding's absolute floor

    @property
    def work(self) -> float:
        """The coarsest rounding an intermediate may get."""
        return max(self.acc, self.store)


def roundings(u: float | Precision) -> Roundings:
    """A single unit roundoff u, or a case's declared precision, as the roundings it applies."""
    if isinstance(u, Precision):
        store = u.u_store if u.u_store > u.u_acc else 0.0
        tiny = SUBNORMAL_HALF.get(u.dtype, 0.0) if store else 0.0
        return Roundings(acc=u.u_acc, inputs=u.u_inputs, store=store, tiny=tiny)
    return Roundings(acc=float(u))


def gamma(m: int, u: float) -> float:
    """gamma(m) = m u / (1 - m u), the relative error bound of m accumulated roundings; past
    m u = 1/2 (float16 sums of thousands of terms), (1 + u)^m - 1 <= exp(m u) - 1 instead."""
    if m * u >= 0.5:
        return math.expm1(m * u)
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
    taps = math.prod(case.kernel)
    return {
        "Y": taps * (case.in_ch // case.groups) + int(case.bias) + 1,
        "dX": taps * (case.out_ch // case.groups) + 1,
        "dW": case.kind.dw_terms(case) + 1,
        "db": case.batch * math.prod(case.out_size) + 1,
    }


def reduction_factor(m: int, r: Roundings) -> float:
    """The relative bound of a sum of m products: rounded factors, then accumulation."""
    g = gamma(m, r.acc)
    return g + (2 * r.inputs + r.inputs**2) * (1 + g)


def z_bound(case: Case, mag: Magnitudes, u: float | Precision) -> np.ndarray:
    """|computed Z - Z| for a computation with unit roundoff u (or a declared precision)."""
    r = roundings(u)
    out = reduction_factor(terms(case)["Y"], r) * mag.abs_Z
    # a stored intermediate may be rounded before the bias is added and after: |.| <= abs_Z
    return out + 2 * r.store * mag.abs_Z + r.tiny if r.store else out


def y_bound(case: Case, mag: Magnitudes, u: float | Precision) -> np.ndarray:
    """|computed Y - Y|: Z's error through the activation, plus the activation's own rounding
    (and the result's storage rounding, for a dtype coarser than the accumulation)."""
    r = roundings(u)
    lip = LIPSCHITZ[case.activation]
    # the activation may run in the storage dtype (frameworks evaluate it there): r.work
    own = ACTIVATION_ULPS[case.activation] * r.work
    return lip * z_bound(case, mag, u) + (own + r.store) * np.abs(mag.Y) + r.tiny


def slope_error(case: Case, mag: Magnitudes, u: float | Precision) -> np.ndarray:
    """|computed activation'(Z) - activation'(Z)| where Z itself carries an error.

    With a storage dtype coarser than the accumulation, the derivative may be computed from the
    stored Y (sigmoid's Y(1 - Y), tanh's 1 - Y^2): its error is then at most 2 |Y's error|."""
    r = roundings(u)
    act = case.activation
    if act == "identity":
        return np.zeros_like(mag.Z)
    err_z = z_bound(case, mag, u)
    m2 = SECOND_DERIVATIVE_MAX[act]
    if m2 is None:  # piecewise linear: the derivative may fall on either side of the kink
        return np.where(np.abs(mag.Z) <= err_z, KINK_JUMP[act], 0.0)
    err_grad = m2 * err_z + ACTIVATION_ULPS[act] * r.work * LIPSCHITZ[act]
    if r.store:
        err_grad = err_grad + 2 * y_bound(case, mag, u)
    return err_grad


def dz_bound(case: Case, data: CaseData, mag: Magnitudes, u: float | Precision) -> np.ndarray:
    """|computed dZ - dZ| where dZ = dY * activation'(Z) and Z itself carries an error."""
    r = roundings(u)
    abs_dY = np.abs(data.dY.astype(np.float64))
    if case.activation == "identity":
        return np.zeros_like(mag.Z) if not r.store else r.store * np.abs(mag.dZ) + r.tiny
    return abs_dY * slope_error(case, mag, u) + r.work * np.abs(mag.dZ) + r.tiny


def gradient_bounds(
    case: Case, data: CaseData, mag: Magnitudes, u: float | Precision
) -> dict[str, np.ndarray]:
    """Element-wise bounds on the error of dX, dW and db computed with unit roundoff u (or a
    declared precision)."""
    r = roundings(u)
    m = terms(case)
    err_dz = dz_bound(case, data, mag, u)
    X, W = np.abs(data.X.astype(np.float64)), np.abs(data.W.astype(np.float64))
    carried_dX, carried_dW, carried_db = case.kind.linear_backward(err_dz, X, W, case.cfg, True)
    assert carried_db is not None
    magnitude = {"dX": mag.abs_dX, "dW": mag.abs_dW, "db": mag.abs_db}
    carried = {"dX": carried_dX, "dW": carried_dW, "db": carried_db}
    out = {}
    for q in ("dX", "dW", "db") if case.bias else ("dX", "dW"):
        # db sums dZ itself: no products, so no rounded factors
        factor = gamma(m[q], r.acc) if q == "db" else reduction_factor(m[q], r)
        bound = factor * magnitude[q] + (1 + gamma(m[q], r.acc)) * carried[q]
        out[q] = bound + r.store * (magnitude[q] + carried[q]) + r.tiny if r.store else bound
    return out


def all_bounds(
    case: Case, data: CaseData, mag: Magnitudes, u: float | Precision
) -> dict[str, np.ndarray]:
    """Bounds for Y, dX, dW and (with bias) db at unit roundoff u (or a declared precision)."""
    return {"Y": y_bound(case, mag, u), **gradient_bounds(case, data, mag, u)}


def coarse_forward(case: Case, oracle: str) -> str | None:
    """Why `oracle`, which differentiates or contracts the implementation's own forward, cannot
    decide this case: its forward keeps fewer bits than float32's 24 (float16, bfloat16, or
    TF32 products). None when it can."""
    p = case.precision
    bits = min(SIGNIFICAND_BITS[p.dtype], SIGNIFICAND_BITS[p.inputs])
    if bits >= SIGNIFICAND_BITS["float32"]:
        return None
    what = f"{p.dtype} results" if p.inputs == p.dtype else "TF32 products"
    return (
        f"inconclusive: {oracle} needs a forward resolved to float32's 24 bits or finer; "
        f"this case's forward keeps {bits} ({what}); the torch oracle and precision:* decide it"
    )
