"""Oracle 2: central finite differences of the implementation's own forward, element by element.

Entries whose effects on the output cannot overlap are perturbed together ("colours"):

- X: input rows that reach no common output row (inside the crop) share a row colour, likewise
  cols; a colour is a (row colour, col colour, in-group channel) triple, over every image of
  the batch and every group at once;
- W: kernel rows (taps) that reach no common output row share a colour, likewise cols; a
  colour is (tap-row colour, tap-col colour, in-group channel), over every output channel and
  group at once;
- b: every entry at once.

Colours are assigned greedily, from the exact reach of each row or tap under the configured
stride, dilation and crop, so each output element moves with at most one perturbed entry and
one forward pair per colour yields every entry's derivative: sum dY * (Y+ - Y-) over that
entry's footprint, divided by its actual step.  The number of forward calls depends on kernel,
stride, dilation and channels, not on batch or image size (`forward_calls`).  An output that
moves outside every perturbed entry's footprint is counted as stray: the forward's geometry is
not the configured one.

Piecewise-linear activations: an output whose second difference exceeds what rounding allows
has crossed a kink.  The colour is redone with smaller steps for those entries; the ones that
still cross are excluded, with the count reported (no verdict, never a false failure).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
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


def _reach_of_inputs(n_in: int, k: int, s: int, d: int, before: int, n_out: int) -> list[set[int]]:
    """For each input index i, the outputs it reaches (i*s + a*d - before, inside the crop)."""
    return [{i * s + a * d - before for a in range(k)} & set(range(n_out)) for i in range(n_in)]


def _reach_of_taps(n_in: int, k: int, s: int, d: int, before: int, n_out: int) -> list[set[int]]:
    """For each kernel tap a, the outputs it reaches (i*s + a*d - before, inside the crop)."""
    return [{i * s + a * d - before for i in range(n_in)} & set(range(n_out)) for a in range(k)]


def greedy_colours(reaches: list[set[int]]) -> list[list[int]]:
    """Classes of indices whose reaches are pairwise disjoint, first-fit in index order."""
    classes: list[list[int]] = []
    covered: list[set[int]] = []
    for i, reach in enumerate(reaches):
        for members, seen in zip(classes, covered):
            if not reach & seen:
                members.append(i)
                seen |= reach
                break
        else:
            classes.append([i])
            covered.append(set(reach))
    return classes


def _geometry(case: Case) -> dict[str, list[set[int]]]:
    _, out_h, out_w, _ = case.y_shape
    rows = (case.in_h, case.kh, case.stride[0], case.dilation[0], case.padding[0], out_h)
    cols = (case.in_w, case.kw, case.stride[1], case.dilation[1], case.padding[2], out_w)
    return {
        "x_rows": _reach_of_inputs(*rows),
        "x_cols": _reach_of_inputs(*cols),
        "w_rows": _reach_of_taps(*rows),
        "w_cols": _reach_of_taps(*cols),
    }


@lru_cache(maxsize=4096)
def colourings(case: Case) -> dict[str, list[list[int]]]:
    """Colour classes of input rows/cols (x_rows, x_cols) and kernel taps (w_rows, w_cols)."""
    return {name: greedy_colours(reaches) for name, reaches in _geometry(case).items()}


def forward_calls(case: Case) -> int:
    """Forward calls the oracle makes on a case, before any kink retries."""
    c = colourings(case)
    cig = case.in_ch // case.groups
    pairs = (len(c["x_rows"]) * len(c["x_cols"]) + len(c["w_rows"]) * len(c["w_cols"])) * cig
    base = 1 if case.activation in PIECEWISE_LINEAR else 0
    return base + 2 * (pairs + int(case.bias))


def _membership(reaches: list[set[int]], members: list[int], n_out: int) -> np.ndarray:
    """(len(reaches), n_out) 0/1 matrix: member index i reaches output index y."""
    out = np.zeros((len(reaches), n_out))
    for i in members:
        out[i, sorted(reaches[i])] = 1.0
    return out


def step_size(case: Case, u: float) -> float:
    """A power of two: large where the forward is (piecewise) linear, cube-root optimal if not."""
    if THIRD_DERIVATIVE_MAX[case.activation] == 0.0:
        exponent = -18 if u < 1e-10 else -9
        if case.activation in PIECEWISE_LINEAR:
            exponent -= 2  # fewer kink crossings
    else:
        exponent = -16 if u < 1e-10 else -7
    return 2.0**exponent


class _Differencer:
    """Runs forward pairs for colours and turns them into per-entry estimates and bounds."""

    def __init__(self, forward: Forward, case: Case, data: CaseData, mag: Magnitudes, u: float):
        self.forward, self.case, self.data = forward, case, data
        self.h = step_size(case, u)
        self.dY = data.dY.astype(np.float64)
        self.abs_dY = np.abs(self.dY)
        self.y_err = y_bound(case, mag, u)
        self.calls = 0
        # The unperturbed output: measured where kinks need a second difference, else the
        # float64 value stands in for it in the rounding allowances.
        self.Y0 = mag.Y
        if case.activation in PIECEWISE_LINEAR:
            self.Y0 = np.asarray(forward(data.X, data.W, data.b), dtype=np.float64)
            self.calls = 1
        self.m3 = THIRD_DERIVATIVE_MAX[case.activation]
        # Per-output allowances, the same for every colour.
        self.kinked_allowed = 4 * self.y_err + 4 * u * np.abs(self.Y0)
        self.moved_allowed = 2 * self.y_err + 4 * u * np.abs(self.Y0)
        self.rounding = 2 * self.abs_dY * self.y_err
        self.stray = 0

    def pair(
        self,
        X: tuple[np.ndarray, np.ndarray],
        W: tuple[np.ndarray, np.ndarray],
        b: tuple[np.ndarray | None, np.ndarray | None],
        reach: np.ndarray,
    ) -> dict[str, np.ndarray]:
        """Per-output products for one colour: signal dY*(Y+-Y-), rounding |dY|*err, kinks.

        `reach` (broadcastable to Y) marks the outputs the perturbed entries can reach under
        the configured geometry; an output outside it that moves is counted as stray.
        """
        Yp = np.asarray(self.forward(X[0], W[0], b[0]), dtype=np.float64)
        Ym = np.asarray(self.forward(X[1], W[1], b[1]), dtype=np.float64)
        self.calls += 2
        moved = np.abs(Yp - Ym) > self.moved_allowed
        self.stray += int(np.count_nonzero(moved & ~reach))
        out = {"signal": self.dY * (Yp - Ym), "rounding": self.rounding, "weight": self.abs_dY}
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


def _estimates(d: _Differencer, which: str) -> Triple:
    """dX (which = "x") or dW (which = "w"), one forward pair per colour.

    A colour is a class of rows, a class of cols (input pixels for X, kernel taps for W) and
    one in-group channel.  Each output (n, y, x, group, o) is attributed to the member whose
    reach holds y and x: for X summed over o (all output channels of the group see the pixel),
    for W kept per o (each output channel has its own weight).
    """
    case, data = d.case, d.data
    n, _, _, _ = case.x_shape
    _, out_h, out_w, _ = case.y_shape
    g, cig, cog = case.groups, case.in_ch // case.groups, case.out_ch // case.groups
    reaches, classes = _geometry(case), colourings(case)
    target, other = (data.X, data.W) if which == "x" else (data.W, data.X)
    est, bnd = np.zeros(target.shape), np.zeros(target.shape)
    exc = np.zeros(target.shape, bool)
    coef = float(np.abs(other).max())  # the factor an entry's step is multiplied by in Z
    rule = "iy,nyxgo,jx->nijg" if which == "x" else "iy,nyxgo,jx->ijgo"
    for rows, cols, c0 in product(classes[f"{which}_rows"], classes[f"{which}_cols"], range(cig)):
        channels = range(c0, case.in_ch, cig)
        if which == "x":
            index, picked = (
                np.ix_(range(n), rows, cols, channels),
                np.ix_(range(n), rows, cols, range(g)),
            )
        else:
            index, picked = (
                np.ix_(rows, cols, channels, range(cog)),
                np.ix_(rows, cols, range(g), range(cog)),
            )
        R = _membership(reaches[f"{which}_rows"], rows, out_h)
        C = _membership(reaches[f"{which}_cols"], cols, out_w)
        reach = np.outer(R.any(axis=0), C.any(axis=0))[None, :, :, None]

        def colour(
            h: float,
            index: tuple = index,
            picked: tuple = picked,
            R: np.ndarray = R,
            C: np.ndarray = C,
            reach: np.ndarray = reach,
        ) -> Triple:
            plus, minus, step = _perturbed(target, index, h)
            pairs = ((plus, minus), (other, other))
            X_pair, W_pair = pairs if which == "x" else pairs[::-1]
            per_output = d.pair(X_pair, W_pair, (data.b, data.b), reach)
            sums = {
                key: np.einsum(rule, R, arr.reshape(n, out_h, out_w, g, cog), C)[picked]
                for key, arr in per_output.items()
            }
            return d.finish(sums, step, coef)

        est[index], bnd[index], exc[index] = d.refined(colour)
    return est, bnd, exc


def _b_estimates(d: _Differencer) -> Triple:
    data = d.data
    assert data.b is not None
    b = data.b

    def colour(h: float) -> Triple:
        bp, bm, step = _perturbed(b, (slice(None),), h)
        per_output = d.pair(
            (data.X, data.X), (data.W, data.W), (bp, bm), np.ones((1, 1, 1, 1), bool)
        )
        sums = {k: v.sum(axis=(0, 1, 2)) for k, v in per_output.items()}
        return d.finish(sums, step, 1.0)

    return d.refined(colour)


def fd_gradients(
    forward: Forward, case: Case, data: CaseData, mag: Magnitudes, u: float
) -> dict[str, FDEstimate]:
    """Finite-difference estimates of dX, dW and (with bias) db from `forward` alone."""
    d = _Differencer(forward, case, data, mag, u)
    out = {"dX": FDEstimate(*_estimates(d, "x")), "dW": FDEstimate(*_estimates(d, "w"))}
    if case.bias:
        out["db"] = FDEstimate(*_b_estimates(d))
    for estimate in out.values():
        estimate.forward_calls = d.calls
        estimate.stray_outputs = d.stray
    return out
