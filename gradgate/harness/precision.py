"""Precision in bits, and the `precision:*` checks: is this difference rounding the declared
precision allows, or precision the kernel lost?  (docs/precision.md has the whole argument.)

**Bits.**  For a quantity Q (Y, dX, dW, db) computed as C' where the float64 oracle, on the
same inputs, gives C:

    bits(Q) = min(p, -log2(||C' - C||_2 / ||C||_2))

the normwise relative error in bits, p the dtype's significand bits (float64 53, float32 24,
float16 11, bfloat16 8).  A correctly rounded result has |C'_i - C_i| <= 2^-p |C_i| for every
element, so it reads exactly p; each bit below p is a halving of accuracy lost.

**The model** (Higham and Mary's probabilistic rounding-error analysis, 2019 and 2020):

- (A1) every rounding is C'(1 + d) with d independent, mean zero, |d| <= u of its precision;
- (A2) a reduction's summation order does not depend on the data's values, and the data are
  gradgate's own: independent, symmetric about 0.  The partial sums s_j of a sum of m terms
  t_k in any such order then have E[sum_j s_j^2] <= sum_k t_k^2 (m + 1) / 2 (the sequential
  order is the worst binary tree);
- (A3) the roundings of different elements are independent.

Relu's kinks are not random: where |Z| is within the forward's error of 0, the derivative may
fall on either side, and the whole jump of dZ there is carried through the backward as a
deterministic allowance.  Under A1, Z's error exceeds lam sqrt(V_Z) with probability at most
2 exp(-lam^2 / 2) per element (Hoeffding), so with lam^2 = 2 ln(2 |Z| / 1e-6) every element
outside that zone is on its side of the kink except with probability 1e-6.

Under A1 each element's error is a sum of independent bounded terms u s_j d_j, sub-Gaussian
with variance proxy V_i = u^2 (sum_j s_j^2 + sum_k t_k^2 + ...): the products' roundings,
the partial sums', the factors' (TF32) and the storage rounding (float16, bfloat16), and the
forward's error carried through the activation into dZ.  A2 gives V_i from the data (the
squared terms and their count), not from the unknown order.  Under A3 the vector of errors is
sub-Gaussian with covariance diag(V), and Hsu, Kakade and Zhang (2012, Theorem 1) give, for
every x > 0,

    P(sum_i e_i^2 > sum V + 2 sqrt(x sum V^2) + 2 x max V) <= exp(-x).

x = ln(10^6) makes the false-alarm probability of one check at most 1e-6 (plus the kink
zones' 1e-6).  The float64 oracle rounds too: its own V (at float64) is added.  The kink
allowances are subtracted from each element's error before the statistic.

The check's ratio is sqrt(sum e'^2 / threshold): it fails above 1.  The element-wise bounds
stay: they are sound in the worst case and catch single wrong elements; this one is tight in
aggregate and catches precision lost everywhere a little.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from gradgate.cases.case import Case
from gradgate.cases.dtypes import SIGNIFICAND_BITS, Precision
from gradgate.harness.bounds import (
    ACTIVATION_ULPS,
    Magnitudes,
    Roundings,
    gamma,
    roundings,
    terms,
)
from gradgate.harness.comparison import Check
from gradgate.harness.data import CaseData
from gradgate.reference_impl.activations import KINK_JUMP, LIPSCHITZ, SECOND_DERIVATIVE_MAX

FALSE_ALARM = 1e-6  # per check, under the model
_X = math.log(1 / FALSE_ALARM)
QUANTITIES: tuple[str, ...] = ("Y", "dX", "dW", "db")
TYPICAL = 3.0  # E d^2 = u^2 / 3 for d uniform on [-u, u]: the expected bits' roundings


@dataclass(frozen=True)
class Reductions:
    """Per element of each quantity: the sum of its squared terms and how many it sums."""

    squares: dict[str, np.ndarray]
    counts: dict[str, np.ndarray]


def reductions(case: Case, data: CaseData, mag: Magnitudes) -> Reductions:
    """The squared terms and term counts of Z, dX, dW and db (the bias counts as a term)."""
    kind, cfg = case.kind, case.cfg
    X, W = data.X.astype(np.float64), data.W.astype(np.float64)
    b = None if data.b is None else data.b.astype(np.float64)
    ones_b = None if b is None else np.ones_like(b)
    squares = {"Y": kind.linear_forward(X**2, W**2, None if b is None else b**2, cfg)}
    counts = {"Y": kind.linear_forward(np.ones_like(X), np.ones_like(W), ones_b, cfg)}
    sq = kind.linear_backward(mag.dZ**2, X**2, W**2, cfg, True)
    ct = kind.linear_backward(np.ones_like(mag.dZ), np.ones_like(X), np.ones_like(W), cfg, True)
    for q, s, c in zip(("dX", "dW", "db"), sq, ct):
        assert s is not None and c is not None
        squares[q], counts[q] = s, c
    return Reductions(squares, counts)


def _reduction_variance(
    r: Roundings, squares: np.ndarray, counts: np.ndarray, value: np.ndarray, products: bool = True
) -> np.ndarray:
    """V of one reduction per element: its products', partial sums', factors' and storage's
    roundings (A1, A2)."""
    v = r.acc**2 * squares * ((counts + 3) / 2 if products else (counts + 1) / 2)
    if products and r.inputs:
        v = v + 4 * r.inputs**2 * squares
    if r.store:
        v = v + r.store**2 * value**2 + r.tiny**2
    return v


@dataclass(frozen=True)
class Model:
    """The model's per-element variance proxies V for each quantity, and the deterministic
    allowances (relu kinks) subtracted from each element's error."""

    variance: dict[str, np.ndarray]
    allowance: dict[str, np.ndarray]


def model(
    case: Case,
    data: CaseData,
    mag: Magnitudes,
    red: Reductions,
    u: float | Precision,
    exact: dict[str, np.ndarray],
) -> Model:
    """V and the kink allowances of a correct computation at unit roundoff u (or a case's
    declared precision); `exact` holds the float64 values the storage rounding applies to."""
    r = roundings(u)
    act = case.activation
    v_z = _reduction_variance(r, red.squares["Y"], red.counts["Y"], mag.Z)
    if r.store and data.b is not None:  # the sum may be stored before the bias is added
        v_z = v_z + r.store**2 * (mag.Z - data.b.astype(np.float64)) ** 2
    kinked = np.zeros(mag.Z.shape, dtype=bool)
    if SECOND_DERIVATIVE_MAX[act] is None:  # piecewise linear: kinks at Z = 0
        # Z's error exceeds lam sqrt(V_Z) with probability below FALSE_ALARM / (Z's size)
        lam = math.sqrt(2 * math.log(2 * max(mag.Z.size, 1) / FALSE_ALARM))
        kinked = np.abs(mag.Z) <= lam * np.sqrt(v_z)
    slope = np.where(kinked, LIPSCHITZ[act], np.abs(mag.act_grad))
    own = ACTIVATION_ULPS[act] * r.work  # the activation may run in the storage dtype
    v_y = slope**2 * v_z + (own**2 + r.store**2) * mag.Y**2 + r.tiny**2
    abs_dY = np.abs(data.dY.astype(np.float64))
    m2 = SECOND_DERIVATIVE_MAX[act]
    if act == "identity":
        s_dz = r.store * np.abs(mag.dZ) + r.tiny
    elif m2 is None:
        s_dz = np.where(kinked, 0.0, r.work * np.abs(mag.dZ))
    else:
        s_grad = m2 * np.sqrt(v_z) + ACTIVATION_ULPS[act] * r.work * LIPSCHITZ[act]
        if r.store:
            s_grad = s_grad + 2 * np.sqrt(v_y)
        s_dz = abs_dY * s_grad + r.work * np.abs(mag.dZ) + r.tiny
    X2, W2 = data.X.astype(np.float64) ** 2, data.W.astype(np.float64) ** 2
    carried = case.kind.linear_backward(s_dz**2, X2, W2, case.cfg, True)
    variance = {"Y": v_y}
    for q, c in zip(("dX", "dW", "db"), carried):
        assert c is not None
        value = exact.get(q, np.zeros_like(c))
        red_v = _reduction_variance(r, red.squares[q], red.counts[q], value, q != "db")
        variance[q] = red_v + c
    allowance = {q: np.zeros_like(v) for q, v in variance.items()}
    if kinked.any():
        jump = np.where(kinked, abs_dY * KINK_JUMP[act], 0.0)
        absX, absW = np.abs(data.X.astype(np.float64)), np.abs(data.W.astype(np.float64))
        m = terms(case)
        for q, k in zip(
            ("dX", "dW", "db"), case.kind.linear_backward(jump, absX, absW, case.cfg, True)
        ):
            assert k is not None
            allowance[q] = (1 + gamma(m[q], r.acc) + 2 * r.inputs) * k * (1 + r.store)
    if not case.bias:
        del variance["db"], allowance["db"]
    return Model(variance, allowance)


@dataclass(frozen=True)
class Verdict:
    """One quantity's precision: bits observed, expected and allowed, and the statistic."""

    bits: float  # observed
    expected_bits: float  # the model's RMS for a correct layer summing in the worst order,
    # its roundings uniform on [-u, u] (E d^2 = u^2 / 3) rather than at the proxy's u^2
    allowed_bits: float  # the fewest a pass allows
    dtype_bits: int
    terms: int  # the most terms an element of the quantity sums
    ratio: float  # sqrt(sum e'^2 / threshold): fails above 1
    rms_error: float
    rms_allowed: float

    def as_report(self) -> dict[str, float | int]:
        return {
            "bits": round(self.bits, 3),
            "expected_bits": round(self.expected_bits, 3),
            "allowed_bits": round(self.allowed_bits, 3),
            "dtype_bits": self.dtype_bits,
            "terms": self.terms,
            "ratio": _finite(self.ratio),
        }


def _finite(x: float) -> float:
    return float(x) if math.isfinite(x) else float(np.finfo(np.float64).max)


def _bits(err_norm: float, norm: float, p: int) -> float:
    if err_norm == 0:
        return float(p)
    if norm == 0 or not math.isfinite(err_norm):
        return 0.0
    return float(min(p, max(0.0, -math.log2(err_norm / norm))))


def threshold(variance: np.ndarray) -> float:
    """sum V + 2 sqrt(x sum V^2) + 2 x max V: what sum e^2 stays under with probability at least
    1 - FALSE_ALARM (Hsu, Kakade and Zhang 2012, Theorem 1)."""
    if variance.size == 0:
        return 0.0
    total = float(variance.sum())
    return total + 2 * math.sqrt(_X * float((variance**2).sum())) + 2 * _X * float(variance.max())


def verdict(
    got: np.ndarray,
    exact: np.ndarray,
    impl: Model,
    oracle: Model,
    q: str,
    red: Reductions,
    dtype_bits: int,
) -> Verdict:
    """The precision verdict on one quantity."""
    err = np.abs(np.asarray(got, dtype=np.float64) - exact)
    if not np.isfinite(err).all():
        err = np.where(np.isfinite(err), err, np.inf)
    allowance = impl.allowance[q] + oracle.allowance[q]
    excess = np.maximum(err - allowance, 0.0)
    v = impl.variance[q] + oracle.variance[q]
    limit = threshold(v)
    total = float((excess**2).sum())
    ratio = 0.0 if total == 0 else (math.sqrt(total / limit) if limit > 0 else math.inf)
    norm = float(np.sqrt((exact**2).sum()))
    err_norm = float(np.sqrt((err**2).sum()))
    return Verdict(
        bits=_bits(err_norm, norm, dtype_bits),
        expected_bits=_bits(float(np.sqrt(impl.variance[q].sum() / TYPICAL)), norm, dtype_bits),
        # a pass has |err| <= allowance + excess elementwise, so its error norm stays under this
        allowed_bits=_bits(
            math.sqrt(limit) + float(np.sqrt((np.broadcast_to(allowance, err.shape) ** 2).sum())),
            norm,
            dtype_bits,
        ),
        dtype_bits=dtype_bits,
        terms=int(red.counts[q].max()) if red.counts[q].size else 0,
        ratio=ratio,
        rms_error=err_norm / math.sqrt(max(err.size, 1)),
        rms_allowed=math.sqrt(limit / max(err.size, 1)),
    )


def precision_checks(
    case: Case,
    data: CaseData,
    mag: Magnitudes,
    got: dict[str, np.ndarray],
    exact: dict[str, np.ndarray],
) -> dict[str, Check]:
    """`precision:Q` for every quantity the oracle computed: the aggregate error against what
    rounding at the case's declared precision (plus the oracle's float64) can produce."""
    red = reductions(case, data, mag)
    impl = model(case, data, mag, red, case.precision, exact)
    oracle = model(case, data, mag, red, 2.0 ** -SIGNIFICAND_BITS["float64"], exact)
    out = {}
    for q in QUANTITIES:
        if q not in exact or q not in got:
            continue
        v = verdict(got[q], exact[q], impl, oracle, q, red, case.precision.bits)
        out[f"precision:{q}"] = precision_check(case, q, v)
    return out


def precision_check(case: Case, q: str, v: Verdict) -> Check:
    p = case.precision
    declared = p.dtype + (" on TF32 products" if p.inputs == "tf32" else "")
    if p.dtype != p.accumulate:
        declared += f" accumulating in {p.accumulate}"
    sentence = (
        f"{v.bits:.1f} bits where a correct {declared} layer keeps at least "
        f"{v.allowed_bits:.1f} at {v.terms} terms (model {v.expected_bits:.1f}; RMS error "
        f"{v.rms_error:.3g}, rounding allows {v.rms_allowed:.3g}; ratio {v.ratio:.3g})"
    )
    passed = v.ratio <= 1
    return Check(
        passed=passed,
        max_abs_err=v.rms_error,
        max_rel_err=2.0**-v.bits,
        error_ratio=v.ratio,
        worst_index=[],
        n_off=0 if passed else 1,
        n_checked=1,
        statement=sentence,
        extra={"precision": v.as_report()},
    )
