"""Oracle 2: central finite differences of the implementation's own forward, element by element.

Entries whose effects on the output cannot overlap are perturbed together:

- X: input pixels whose rows differ by at least P_h = (kh - 1) * dilation_h // stride_h + 1
  (likewise cols), every image of the batch, one input channel per group;
- W: one kernel tap (a, c) and one in-group input channel, every output channel, every group;
- b: every entry at once.

Each output element then moves with exactly one perturbed entry, so one forward pair per
colour yields every entry's derivative: sum dY * (Y+ - Y-) over that entry's footprint, divided
by its actual step.  Forward calls per case: 2 * (P_h * P_w * cin_g + kh * kw * cin_g + 1),
whatever the batch or image size (plus retries of colours that crossed a kink).

Piecewise-linear activations: an output whose second difference exceeds what rounding allows
has crossed a kink.  The colour is redone with smaller steps for those entries; the ones that
still cross are excluded, with the count reported (no verdict, never a false failure).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import product

import numpy as np

from cases.case import Case
from harness.bounds import Magnitudes, y_bound
from harness.data import CaseData
from reference_impl.activations import THIRD_DERIVATIVE_MAX

Forward = Callable[[np.ndarray, np.ndarray, "np.ndarray | None"], np.ndarray]
PIECEWISE_LINEAR = ("relu", "leaky_relu")
# Colours with an entry across a kink are redone with the step divided by 8, this many times.
KINK_RETRIES = 2
Triple = tuple[np.ndarray, np.ndarray, np.ndarray]  # estimate, bound, excluded


@dataclass
class FDEstimate:
    """An element-wise derivative estimate, its error bound, and the entries left out."""

    estimate: np.ndarray
    bound: np.ndarray
    excluded: np.ndarray  # bool: crossed a kink, no verdict on this entry
    forward_calls: int = 0
    stray_outputs: int = 0  # outputs that moved though no perturbed entry should reach them


def colour_periods(case: Case) -> tuple[int, int]:
    """Row and col distances at which two input pixels never reach the same output pixel."""
    return tuple(  # type: ignore[return-value]
        (k - 1) * d // s + 1
        for k, d, s in (
            (case.kh, case.dilation[0], case.stride[0]),
            (case.kw, case.dilation[1], case.stride[1]),
        )
    )


def forward_calls(case: Case) -> int:
    """How many forward calls the oracle makes on this case (the base call included)."""
    ph, pw = colour_periods(case)
    cig = case.in_ch // case.groups
    return 1 + 2 * (ph * pw * cig + case.kh * case.kw * cig + int(case.bias))


def step_size(case: Case, u: float) -> float:
    """A power of two: large where the forward is (piecewise) linear, cube-root optimal if not."""
    if THIRD_DERIVATIVE_MAX[case.activation] == 0.0:
        exponent = -18 if u < 1e-10 else -9
        if case.activation in PIECEWISE_LINEAR:
            exponent -= 2  # fewer kink crossings
    else:
        exponent = -16 if u < 1e-10 else -7
    return 2.0**exponent


def _footprint_map(
    n_in: int, n_out: int, k: int, s: int, d: int, before: int, residue: int, period: int
) -> np.ndarray:
    """(n_in, n_out) 0/1 matrix: input index i (of the colour) reaches output index y."""
    reach = np.zeros((n_in, n_out))
    for i in range(residue, n_in, period):
        for a in range(k):
            y = i * s + a * d - before
            if 0 <= y < n_out:
                reach[i, y] = 1.0
    return reach


class _Differencer:
    """Runs forward pairs for colours and turns them into per-entry estimates and bounds."""

    def __init__(self, forward: Forward, case: Case, data: CaseData, mag: Magnitudes, u: float):
        self.forward, self.case, self.data = forward, case, data
        self.h = step_size(case, u)
        self.dY = data.dY.astype(np.float64)
        self.abs_dY = np.abs(self.dY)
        self.y_err = y_bound(case, mag, u)
        self.Y0 = np.asarray(forward(data.X, data.W, data.b), dtype=np.float64)
        self.calls = 1
        self.m3 = THIRD_DERIVATIVE_MAX[case.activation]
        self.u = u
        self.kinked_allowed = 4 * self.y_err + 4 * u * np.abs(self.Y0)
        self.stray = 0

    def pair(
        self,
        X: tuple[np.ndarray, np.ndarray],
        W: tuple[np.ndarray, np.ndarray],
        b: tuple[np.ndarray | None, np.ndarray | None],
        reach: np.ndarray | None = None,
    ) -> dict[str, np.ndarray]:
        """Per-output products for one colour: signal dY*(Y+-Y-), rounding |dY|*err, kinks.

        `reach` (out_h, out_w) marks the outputs the perturbed entries can reach under the
        configured geometry; an output outside it that moves is counted as stray.
        """
        Yp = np.asarray(self.forward(X[0], W[0], b[0]), dtype=np.float64)
        Ym = np.asarray(self.forward(X[1], W[1], b[1]), dtype=np.float64)
        self.calls += 2
        if reach is not None:
            moved = np.abs(Yp - Ym) > 2 * self.y_err + 4 * self.u * np.abs(self.Y0)
            self.stray += int(np.count_nonzero(moved & ~reach[None, :, :, None]))
        out = {
            "signal": self.dY * (Yp - Ym),
            "rounding": 2 * self.abs_dY * self.y_err,
            "weight": self.abs_dY,
        }
        if self.case.activation in PIECEWISE_LINEAR:
            out["kinks"] = (np.abs(Yp - 2 * self.Y0 + Ym) > self.kinked_allowed).astype(float)
        return out

    def finish(self, sums: dict[str, np.ndarray], step: np.ndarray, coef: float) -> Triple:
        """(estimate, bound, excluded) for entries with per-entry sums and actual steps."""
        estimate = sums["signal"] / step
        truncation = self.m3 / 6 * (step / 2) ** 2 * coef**3 * sums["weight"]
        summation = 4 * np.finfo(np.float64).eps * np.abs(sums["signal"]) / step
        bound = sums["rounding"] / step + truncation + summation
        excluded = sums["kinks"] > 0 if "kinks" in sums else np.zeros(step.shape, bool)
        return estimate, bound, excluded

    def refined(self, colour: Callable[[float], Triple]) -> Triple:
        """One colour's result; entries that crossed a kink are retried with smaller steps."""
        est, bnd, exc = colour(self.h)
        h = self.h
        for _ in range(KINK_RETRIES):
            if not exc.any():
                break
            h /= 8
            est2, bnd2, exc2 = colour(h)
            fixed = exc & ~exc2
            est[fixed], bnd[fixed], exc[fixed] = est2[fixed], bnd2[fixed], False
        return est, bnd, exc


def _perturbed(
    arr: np.ndarray, index: tuple, h: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    plus, minus = arr.copy(), arr.copy()
    plus[index] += arr.dtype.type(h)
    minus[index] -= arr.dtype.type(h)
    step = plus[index].astype(np.float64) - minus[index].astype(np.float64)
    return plus, minus, step


def _x_estimates(d: _Differencer) -> Triple:
    case, data = d.case, d.data
    n, in_h, in_w, in_ch = case.x_shape
    _, out_h, out_w, out_ch = case.y_shape
    g, cig, cog = case.groups, case.in_ch // case.groups, case.out_ch // case.groups
    ph, pw = colour_periods(case)
    top, _, left, _ = case.padding
    est, bnd, exc = (np.zeros(case.x_shape), np.zeros(case.x_shape), np.zeros(case.x_shape, bool))
    coef = float(np.abs(data.W).max())
    for ri, rj, c0 in product(range(ph), range(pw), range(cig)):
        index = (slice(None), slice(ri, None, ph), slice(rj, None, pw), slice(c0, None, cig))
        R = _footprint_map(in_h, out_h, case.kh, case.stride[0], case.dilation[0], top, ri, ph)
        C = _footprint_map(in_w, out_w, case.kw, case.stride[1], case.dilation[1], left, rj, pw)

        def colour(h: float, index: tuple = index, R: np.ndarray = R, C: np.ndarray = C) -> Triple:
            Xp, Xm, step = _perturbed(data.X, index, h)
            reach = np.outer(R.any(axis=0), C.any(axis=0))
            per_output = d.pair((Xp, Xm), (data.W, data.W), (data.b, data.b), reach)
            sums = {}
            for key, arr in per_output.items():
                grouped = arr.reshape(n, out_h, out_w, g, cog).sum(axis=4)
                sums[key] = np.einsum("iy,nyxg,jx->nijg", R, grouped, C)[index[:3]]
            return d.finish(sums, step, coef)

        est[index], bnd[index], exc[index] = d.refined(colour)
    return est, bnd, exc


def _w_estimates(d: _Differencer) -> Triple:
    case, data = d.case, d.data
    g, cig, cog = case.groups, case.in_ch // case.groups, case.out_ch // case.groups
    est, bnd, exc = (np.zeros(case.w_shape), np.zeros(case.w_shape), np.zeros(case.w_shape, bool))
    coef = float(np.abs(data.X).max())
    for a, c, c0 in product(range(case.kh), range(case.kw), range(cig)):
        index = (a, c, slice(c0, None, cig), slice(None))

        def colour(h: float, index: tuple = index) -> Triple:
            Wp, Wm, step = _perturbed(data.W, index, h)
            per_output = d.pair((data.X, data.X), (Wp, Wm), (data.b, data.b))
            sums = {k: v.sum(axis=(0, 1, 2)).reshape(g, cog) for k, v in per_output.items()}
            return d.finish(sums, step, coef)

        est[index], bnd[index], exc[index] = d.refined(colour)
    return est, bnd, exc


def _b_estimates(d: _Differencer) -> Triple:
    data = d.data
    assert data.b is not None
    b = data.b

    def colour(h: float) -> Triple:
        bp, bm, step = _perturbed(b, (slice(None),), h)
        per_output = d.pair((data.X, data.X), (data.W, data.W), (bp, bm))
        sums = {k: v.sum(axis=(0, 1, 2)) for k, v in per_output.items()}
        return d.finish(sums, step, 1.0)

    return d.refined(colour)


def fd_gradients(
    forward: Forward, case: Case, data: CaseData, mag: Magnitudes, u: float
) -> dict[str, FDEstimate]:
    """Finite-difference estimates of dX, dW and (with bias) db from `forward` alone."""
    d = _Differencer(forward, case, data, mag, u)
    out = {"dX": FDEstimate(*_x_estimates(d)), "dW": FDEstimate(*_w_estimates(d))}
    if case.bias:
        out["db"] = FDEstimate(*_b_estimates(d))
    for estimate in out.values():
        estimate.forward_calls = d.calls
        estimate.stray_outputs = d.stray
    return out
