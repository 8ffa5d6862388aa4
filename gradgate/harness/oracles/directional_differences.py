"""The fd oracle's forward mode and second order: central differences along one direction.

With p = (X, W, b), F the implementation's forward and B its backward at the case's dY:

- jY = F'(p) t: (F(p + h t) - F(p - h t)) / 2h, t the case's tangents (`CaseData.tangents`);
- gdY = act'(Z) * T(dd) is F'(p) dd as well: the same difference along the cotangents dd;
- (gX, gW, gb) = dd^T B'(p), and B'(p) is the Hessian of <dY, F(p)>, symmetric, so it equals
  B'(p) dd: (B(p + h dd) - B(p - h dd)) / 2h.

Each is element by element, from two forward or two backward calls, whatever the channels,
batch or size.  The estimate's error bound adds, per element:

- rounding: the forward's (or backward's) own bound at both points, over 2h;
- the points' rounding: p +- h t is rounded to the case dtype (offsets e+-, known exactly);
  moving by e changes the result by at most the derivative's magnitude times |e|;
- truncation: Z(s) = Z + s T + s^2 L(tX, tW) is quadratic in s, so for identity, relu and
  leaky_relu (away from the kink) both differences are exact; for tanh and sigmoid the third
  derivative along s bounds it (h^2 / 6 times it, from act''' and act'''' maxima);
- float64's rounding of the difference itself.

relu and leaky_relu: an output whose Z can reach 0 along the segment (or within the points'
rounding and Z's own error) has no difference quotient there: it is left out of jY and gdY, and
everything it reaches (through L's transposes) out of gX, gW and gb, with the count said.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np

from gradgate.cases.case import Case
from gradgate.cases.dtypes import numpy_dtype
from gradgate.harness.bounds import (
    Magnitudes,
    gradient_bounds,
    magnitudes,
    y_bound,
    z_bound,
)
from gradgate.harness.comparison import Check, compare
from gradgate.harness.data import CaseData
from gradgate.harness.derivative_bounds import Arrays, tangent_of_z
from gradgate.harness.oracles import OracleRun
from gradgate.reference_impl.activations import (
    FOURTH_DERIVATIVE_MAX,
    LIPSCHITZ,
    SECOND_DERIVATIVE_MAX,
    THIRD_DERIVATIVE_MAX,
)

PIECEWISE_LINEAR = ("relu", "leaky_relu")
EPS = float(np.finfo(np.float64).eps)


def step(case: Case, u: float, abs_T: np.ndarray) -> float:
    """A power of two: large where the layer is (piecewise) bilinear along s, cube-root sized
    where truncation counts; divided by T's largest magnitude, so Z moves as for one entry."""
    if case.activation == "identity":
        exponent = -18 if u < 1e-10 else -9
    elif case.activation in PIECEWISE_LINEAR:
        exponent = -20 if u < 1e-10 else -11  # fewer kink crossings
    else:
        exponent = -16 if u < 1e-10 else -7
    scale = float(abs_T.max(initial=1.0))
    return 2.0 ** (exponent - max(0, int(np.ceil(np.log2(scale)))))


@dataclasses.dataclass(frozen=True)
class Segment:
    """The two points p +- h t in the case dtype, and what bounds the differences along them."""

    h: float
    plus: CaseData
    minus: CaseData
    abs_T: np.ndarray  # |.|-magnitude of T, Z's derivative along t
    abs_C: np.ndarray  # |.|-magnitude of L(tX, tW), Z's second derivative along t over 2
    big: Arrays  # |p| + h |t| + |e|: the largest magnitudes on the segment
    offsets: Arrays  # |e+| + |e-|: the points' rounding
    near_kink: np.ndarray  # outputs whose Z may cross a kink on the segment (bool)
    mag_plus: Magnitudes
    mag_minus: Magnitudes


def segment(case: Case, data: CaseData, mag: Magnitudes, along: Arrays, u: float) -> Segment:
    L = case.kind.linear_forward
    t = tangent_of_z(case, data, along, 0.0)
    abs_C = L(
        np.abs(along[0].astype(np.float64)), np.abs(along[1].astype(np.float64)), None, case.cfg
    )
    h = step(case, u, t.abs_T)
    dtype = numpy_dtype(case.dtype)
    X = _moved(data.X, along[0], h, dtype)
    W = _moved(data.W, along[1], h, dtype)
    b = None if data.b is None or along[2] is None else _moved(data.b, along[2], h, dtype)
    plus_d = dataclasses.replace(data, X=X[0], W=W[0], b=None if b is None else b[0])
    minus_d = dataclasses.replace(data, X=X[1], W=W[1], b=None if b is None else b[1])
    big = (X[3], W[3], None if b is None else b[3])
    offsets = (X[2], W[2], None if b is None else b[2])
    mag_plus, mag_minus = magnitudes(case, plus_d), magnitudes(case, minus_d)
    near = np.zeros(t.T.shape, bool)
    if case.activation in PIECEWISE_LINEAR:
        # |Z(s)| >= |Z| - h |T| - h^2 |C| - the offsets' shift; the computed Z is off by its bound
        shift = _linear_in_offsets(case, big, offsets)
        errors = z_bound(case, mag_plus, u) + z_bound(case, mag_minus, u)
        near = np.abs(mag.Z) <= h * t.abs_T + h * h * abs_C + shift + errors
    return Segment(
        h,
        plus_d,
        minus_d,
        t.abs_T,
        abs_C,
        big,
        offsets,
        near,
        mag_plus,
        mag_minus,
    )


def _moved(
    arr: np.ndarray, tan: np.ndarray, h: float, dtype: np.dtype[Any]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(p + h t, p - h t) rounded to the case dtype, |e+| + |e-| (their offsets from the exact
    points, with float64's rounding of p +- h t itself), and |p| + h |t| + that."""
    p64, t64 = arr.astype(np.float64), tan.astype(np.float64)
    plus, minus = (p64 + h * t64).astype(dtype), (p64 - h * t64).astype(dtype)
    e = np.abs(plus.astype(np.float64) - (p64 + h * t64))
    e = e + np.abs(minus.astype(np.float64) - (p64 - h * t64))
    e = e + 2 * EPS * (np.abs(p64) + h * np.abs(t64))
    return plus, minus, e, np.abs(p64) + h * np.abs(t64) + e


def _linear_in_offsets(case: Case, big: Arrays, offsets: Arrays) -> np.ndarray:
    """|Z's change| from moving the points by their offsets, at most (over the segment)."""
    L = case.kind.linear_forward
    assert offsets[0] is not None and offsets[1] is not None
    return L(offsets[0], big[1], offsets[2], case.cfg) + L(big[0], offsets[1], None, case.cfg)


def forward_difference(
    forward: Callable[..., np.ndarray],
    case: Case,
    data: CaseData,
    mag: Magnitudes,
    u: float,
    along: Arrays,
    quantity: str,
    claimed: np.ndarray,
    claimed_bound: np.ndarray,
) -> Check:
    """jY (along the tangents) or gdY (along the cotangents) against the forward's difference."""
    seg = segment(case, data, mag, along, u)
    h = seg.h
    Yp = np.asarray(forward(seg.plus.X, seg.plus.W, seg.plus.b), dtype=np.float64)
    Ym = np.asarray(forward(seg.minus.X, seg.minus.W, seg.minus.b), dtype=np.float64)
    estimate = (Yp - Ym) / (2 * h)
    rounding = y_bound(case, seg.mag_plus, u) + y_bound(case, seg.mag_minus, u)
    act = case.activation
    moved = LIPSCHITZ[act] * _linear_in_offsets(case, seg.big, seg.offsets)
    bound = (rounding + moved + EPS * (np.abs(Yp) + np.abs(Ym))) / (2 * h)
    m2 = SECOND_DERIVATIVE_MAX[act] or 0.0
    m3 = THIRD_DERIVATIVE_MAX[act]
    if m3:
        A = seg.abs_T + 2 * h * seg.abs_C
        bound = bound + h * h / 6 * (m3 * A**3 + 6 * m2 * A * seg.abs_C)
    check = compare(quantity, claimed, estimate, claimed_bound + bound, ~seg.near_kink)
    return _said_excluded(check, seg.near_kink)


def backward_difference(
    backward: Callable[..., dict[str, np.ndarray]],
    case: Case,
    data: CaseData,
    mag: Magnitudes,
    u: float,
    claimed: dict[str, np.ndarray],
    claimed_bounds: dict[str, np.ndarray],
) -> dict[str, Check]:
    """gX, gW (and gb) against the backward's difference along the cotangents."""
    along = data.cotangents
    seg = segment(case, data, mag, along, u)
    h, cfg, LT = seg.h, case.cfg, case.kind.linear_backward
    Bp = backward(seg.plus.X, seg.plus.W, seg.plus.b)
    Bm = backward(seg.minus.X, seg.minus.W, seg.minus.b)
    rp = gradient_bounds(case, seg.plus, seg.mag_plus, u)
    rm = gradient_bounds(case, seg.minus, seg.mag_minus, u)
    act = case.activation
    abs_dY = np.abs(data.dY.astype(np.float64))
    m2 = SECOND_DERIVATIVE_MAX[act] or 0.0
    m3, m4 = THIRD_DERIVATIVE_MAX[act], FOURTH_DERIVATIVE_MAX[act]
    bigX, bigW, eX, eW = seg.big[0], seg.big[1], seg.offsets[0], seg.offsets[1]
    assert bigX is not None and bigW is not None and eX is not None and eW is not None
    dZ_max = abs_dY * LIPSCHITZ[act]
    # the points' rounding, through the Hessian's magnitude: R_v = dY act'' Z(v), and dZ's
    # own path through the moved other factor
    Rv = abs_dY * m2 * _linear_in_offsets(case, seg.big, seg.offsets)
    hX, hW, hb = LT(Rv, bigX, bigW, cfg, True)
    kX, kW, _ = LT(dZ_max, eX, eW, cfg, False)
    moved = {"dX": hX + kX, "dW": hW + kW, "db": hb}
    trunc: dict[str, np.ndarray | float] = {"dX": 0.0, "dW": 0.0, "db": 0.0}
    assert hb is not None
    if m3:
        A = seg.abs_T + 2 * h * seg.abs_C
        third = abs_dY * (m4 * A**3 + 6 * m3 * A * seg.abs_C)
        second = abs_dY * (m3 * A**2 + 2 * m2 * seg.abs_C)
        ddX, ddW = np.abs(along[0].astype(np.float64)), np.abs(along[1].astype(np.float64))
        aX, aW, ab = LT(third, bigX, bigW, cfg, True)
        sX, sW, _ = LT(second, ddX, ddW, cfg, False)
        assert ab is not None
        trunc = {"dX": aX + 3 * sX, "dW": aW + 3 * sW, "db": ab}
    # what a kink crossing reaches: through L's transposes from the outputs near a kink
    near = seg.near_kink.astype(np.float64)
    reachX, reachW, reachb = LT(near, np.ones_like(bigX), np.ones_like(bigW), cfg, True)
    assert reachb is not None
    reach: dict[str, np.ndarray] = {"dX": reachX > 0, "dW": reachW > 0, "db": reachb > 0}
    out = {}
    for q, g in (("dX", "gX"), ("dW", "gW"), ("db", "gb")):
        if g not in claimed:
            continue
        estimate = (Bp[q].astype(np.float64) - Bm[q].astype(np.float64)) / (2 * h)
        diff = EPS * (np.abs(Bp[q]) + np.abs(Bm[q]))
        bound = (rp[q] + rm[q] + moved[q] + diff) / (2 * h) + h * h / 6 * trunc[q]
        check = compare(g, claimed[g], estimate, claimed_bounds[g] + bound, ~reach[q])
        out[g] = _said_excluded(check, reach[q])
    return out


def _said_excluded(check: Check, excluded: np.ndarray) -> Check:
    """The check, saying how many entries a kink left out; with none left, inconclusive."""
    n = int(np.count_nonzero(excluded))
    if n:
        check.note = (
            f"{n} of {excluded.size} entries depend on an output whose Z may cross the kink "
            "between the two points: no finite-difference verdict on them"
        )
    if n and n == excluded.size:
        check.inconclusive = True
    return check


def directional_checks(run: OracleRun) -> dict[str, Check]:
    """fd:jY, fd:gdY, fd:gX, fd:gW and fd:gb for the higher quantities the run holds."""
    case, data = run.case, run.data

    def forward(X: np.ndarray, W: np.ndarray, b: np.ndarray | None) -> np.ndarray:
        return run.forward(X, W, b, case.cfg, "Y (directional differences)")

    out: dict[str, Check] = {}
    for q, along in (("jY", data.tangents), ("gdY", data.cotangents)):
        if q in run.got:
            out[q] = forward_difference(
                forward, case, data, run.mag, run.u, along, q, run.got[q], run.bounds[q]
            )
    if "gX" in run.got and run.backward is not None:
        out.update(
            backward_difference(run.backward, case, data, run.mag, run.u, run.got, run.bounds)
        )
    return out
