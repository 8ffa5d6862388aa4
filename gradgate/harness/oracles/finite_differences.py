"""Oracle 2: central finite differences of the implementation's own forward, element by element.

Entries whose effects on the output cannot overlap are perturbed together ("colours"):

- X: input rows that reach no common output row (inside the crop) share a row colour, likewise
  cols (and depth in 3-D; one axis in 1-D); a colour is a per-axis colour on each spatial axis
  and an in-group channel, over every image of the batch and every group at once;
- W: kernel rows (taps) that reach no common output row share a colour, likewise on every other
  spatial axis; a colour is a per-axis tap colour on each axis and an in-group channel, over
  every output channel and group at once;
- b: every entry at once.

Colours are assigned greedily, from the exact reach of each row or tap under the configured
stride, dilation and padding (as the layer kind defines it, `gradgate.cases.kinds`), so each output
element moves with at most one perturbed entry and one forward pair per colour yields every
entry's derivative: sum dY * (Y+ - Y-) over that entry's footprint, divided by its actual step.
The number of forward calls depends on kernel, stride, dilation and channels, not on batch or
image size (`forward_calls`). An output that moves outside every perturbed entry's footprint is
counted as stray: the forward's geometry is not the configured one.

Piecewise-linear activations: an output whose second difference exceeds what rounding allows
has crossed a kink.  The colour is redone with smaller steps for those entries; the ones that
still cross are excluded, with the count reported (no verdict, never a false failure).  A
crossing too shallow to see is not excluded, so the bound allows for it: away from a kink the
exact second difference is 0, a crossing moves Y+ - Y- by exactly its exact second difference,
and one that passes unseen has an exact second difference of at most the detection threshold
plus the measured one's own rounding (4 y_err), which `_Differencer` adds to each output's
allowance.  (Without it a float32 relu case whose Z sat 3e-5 from 0 failed a correct
implementation.)

Projections over channels.  With more in-group channels than `PROJECTIONS`, given the
implementation's own gradient g' (`claimed`) and its element bounds B, a spatial colour is not
run once per channel: all channels of its entries move at once, along `PROJECTIONS` random
Gaussian directions r (seeded from the case id, so the same on every run).  A "unit" is what
shares an output footprint: a pixel (n, row, col, group) for X, a tap (kh, kw, group, out) for
W.  For each unit and direction the forward pair measures D = sum_c g_c s_c (s_c the actual
step of channel c, about 2 h r_c) up to the pair's noise N (rounding of the forward, the
truncation bound from the third derivative at the largest |dZ| the whole direction can cause,
summation), and the test is

    |D - sum_c g'_c s_c| <= sum_c |s_c| B_c + N.

Sound: when every |g'_c - g_c| <= B_c the left side is at most the right whatever r is, so a
correct implementation never fails (deterministically; no probability involved), and a failure
proves that some channel of the unit is off.  Cancellation: the errors e_c = g'_c - g_c of a
unit enter as sum_c e_c s_c, a Gaussian variable of standard deviation 2h (sum_c e_c^2)^(1/2);
it falls within +-t with probability at most t sqrt(2/pi) / (2h |e|) for any channel's |e_c|
= |e|, so an error is missed by all `PROJECTIONS` independent directions with probability at
most (0.8 t / (2h |e|))^PROJECTIONS: below 1e-6 once the error is 100 times what the test
allows, whatever the other channels' errors (they can only widen the distribution).  The
rounding of the realized steps changes each s_c / (2h r_c) by a relative 2^-30 or less in
float64, 2^-6 or less in float32, which does not change the argument.

When a unit's projection fails, the colour with the worst projection is rerun channel by
channel (`LOCALIZED_COLOURS` colours per quantity), so the report's worst_index is an exact
element; entries verified by passing projections carry the implementation's own value as their
estimate (error 0), the others an element-wise estimate (`with_projections` completes the
check).  Forward calls then depend on kernel, stride and dilation only, not on channels, batch
or image size (`forward_calls`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import product

import numpy as np

from gradgate.cases.axes import LABELS
from gradgate.cases.case import Case
from gradgate.harness.bounds import Magnitudes, coarse_forward, gamma, y_bound
from gradgate.harness.comparison import Check, compare
from gradgate.harness.data import CaseData, case_rng
from gradgate.harness.oracles import OracleRun
from gradgate.harness.oracles.directional_differences import directional_checks
from gradgate.harness.reach import axis_reach
from gradgate.reference_impl.activations import THIRD_DERIVATIVE_MAX

Forward = Callable[[np.ndarray, np.ndarray, "np.ndarray | None"], np.ndarray]
PIECEWISE_LINEAR = ("relu", "leaky_relu")
# Colours with an entry across a kink are redone with the step divided by 8, this many times.
KINK_RETRIES = 2
Triple = tuple[np.ndarray, np.ndarray, np.ndarray]  # estimate, bound, excluded
# Random directions per colour when the in-group channels outnumber them.
PROJECTIONS = 3
# Colours rerun channel by channel, per quantity, when their projections fail (worst first).
LOCALIZED_COLOURS = 1


@dataclass
class FDEstimate:
    """An element-wise derivative estimate, its error bound, and the entries left out."""

    estimate: np.ndarray
    bound: np.ndarray
    excluded: np.ndarray  # bool: crossed a kink, no verdict on this entry
    forward_calls: int = 0
    stray_outputs: int = 0  # outputs that moved though no perturbed entry should reach them
    projected: int = 0  # entries verified by projections (estimate = the claimed value)
    projection_ratio: float = 0.0  # the worst projection's error / bound
    unlocalized_units: int = 0  # units whose projections failed in colours not rerun per channel
    projection_failure: str = ""  # a projection failed but no single channel is shown off


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


@lru_cache(maxsize=4096)
def colourings(case: Case) -> dict[str, list[list[list[int]]]]:
    """Colour classes per spatial axis of input positions (`x`) and kernel taps (`w`)."""
    return {
        name: [greedy_colours(reaches) for reaches in per_axis]
        for name, per_axis in axis_reach(case).items()
    }


def uses_projections(case: Case) -> bool:
    """True when channels are checked by random projections rather than one by one."""
    return case.in_ch // case.groups > PROJECTIONS


def forward_calls(case: Case, *, projections: bool = True) -> int:
    """Forward calls the oracle makes on a case, before any kink retries or localization.

    `projections=False`: without the implementation's gradient, one colour per channel.
    """
    c = colourings(case)
    cig = case.in_ch // case.groups
    per_colour = PROJECTIONS if projections and uses_projections(case) else cig
    colours = sum(math.prod(len(classes) for classes in c[which]) for which in ("x", "w"))
    base = 1 if case.activation in PIECEWISE_LINEAR else 0
    return base + 2 * (colours * per_colour + int(case.bias))


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
        if case.activation in PIECEWISE_LINEAR:  # the largest kink crossing left unseen
            self.rounding = self.rounding + self.abs_dY * (self.kinked_allowed + 4 * self.y_err)
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

    def refined(self, colour: Callable[[float], Triple], h: float | None = None) -> Triple:
        """One colour's result; entries that crossed a kink are retried with smaller steps."""
        h = self.h if h is None else h
        est, bnd, exc = colour(h)
        for _ in range(KINK_RETRIES):
            if not exc.any():
                break
            h /= 8
            est2, bnd2, exc2 = colour(h)
            fixed = exc & ~exc2
            est[fixed], bnd[fixed], exc[fixed] = est2[fixed], bnd2[fixed], False
        return est, bnd, exc


def _perturbed(
    arr: np.ndarray, index: tuple, h: float | np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """arr +- h at `index` (h a scalar or an array of the indexed shape), and the actual steps."""
    plus, minus = arr.copy(), arr.copy()
    delta = np.asarray(h).astype(arr.dtype)
    plus[index] += delta
    minus[index] -= delta
    step = plus[index].astype(np.float64) - minus[index].astype(np.float64)
    return plus, minus, step


@dataclass(frozen=True)
class _Colour:
    """One spatial colour of X ("x") or W ("w"): its class on each spatial axis, and what the
    members reach."""

    which: str
    members: tuple[list[int], ...]  # per spatial axis: the positions (or taps) perturbed
    M: tuple[np.ndarray, ...]  # per axis: (len(reaches), n_out) membership, see _membership
    reach: np.ndarray  # the outputs the colour can reach, broadcastable to Y

    def index(self, case: Case, channels: range) -> tuple:
        """The perturbed entries: every image / output channel, these positions, channels."""
        if self.which == "x":
            return np.ix_(range(case.batch), *self.members, channels)
        return np.ix_(*self.members, channels, range(case.out_ch // case.groups))

    def footprint_sums(self, case: Case, per_output: dict[str, np.ndarray]) -> dict:
        """Each unit's sum over the outputs it reaches: (n, *position, group) or
        (*tap, group, o).

        Each output (n, *y, group, o) is attributed to the member whose reach holds y on every
        axis: for X summed over o (all output channels of the group see the position), for W
        kept per o (each output channel has its own weight).
        """
        n, *out_size, _ = case.y_shape
        g, cog = case.groups, case.out_ch // case.groups
        first = 1 if self.which == "x" else 0  # where the spatial axes start
        out = {}
        for key, arr in per_output.items():
            per_group = np.broadcast_to(arr, case.y_shape).reshape(n, *out_size, g, cog)
            units = per_group.sum(axis=-1) if self.which == "x" else per_group.sum(axis=0)
            for i, (members, M) in enumerate(zip(self.members, self.M)):
                # the output axis i becomes the member axis i
                units = np.moveaxis(
                    np.tensordot(units, M[members], axes=(first + i, 1)), -1, first + i
                )
            out[key] = units
        return out


def _colours(case: Case, which: str) -> list[_Colour]:
    reaches, classes = axis_reach(case)[which], colourings(case)[which]
    out = []
    for members in product(*classes):
        M = tuple(_membership(r, m, n) for r, m, n in zip(reaches, members, case.out_size))
        reach = _outer_any(M)[None, ..., None]
        out.append(_Colour(which, tuple(members), M, reach))
    return out


def _outer_any(memberships: tuple[np.ndarray, ...]) -> np.ndarray:
    """The outputs some member reaches on every axis: the product of the per-axis reaches."""
    grid = memberships[0].any(axis=0)
    for M in memberships[1:]:
        grid = np.multiply.outer(grid, M.any(axis=0))
    return grid.astype(bool)


def _arrays(d: _Differencer, which: str) -> tuple[np.ndarray, np.ndarray]:
    """(the perturbed array, the one it is multiplied by in Z)."""
    return (d.data.X, d.data.W) if which == "x" else (d.data.W, d.data.X)


def _sums(d: _Differencer, colour: _Colour, plus: np.ndarray, minus: np.ndarray) -> dict:
    """One forward pair with the colour's array at plus / minus, summed per unit."""
    other = _arrays(d, colour.which)[1]
    pairs = ((plus, minus), (other, other))
    X_pair, W_pair = pairs if colour.which == "x" else pairs[::-1]
    per_output = d.pair(X_pair, W_pair, (d.data.b, d.data.b), colour.reach)
    return colour.footprint_sums(d.case, per_output)


def _channel_colour(d: _Differencer, colour: _Colour, c0: int) -> tuple[tuple, Triple]:
    """Element-wise estimates for in-group channel c0 of every group: one forward pair."""
    case = d.case
    cig = case.in_ch // case.groups
    target, other = _arrays(d, colour.which)
    coef = float(np.abs(other).max())  # the factor an entry's step is multiplied by in Z
    index = colour.index(case, range(c0, case.in_ch, cig))

    def run(h: float) -> Triple:
        plus, minus, step = _perturbed(target, index, h)
        return d.finish(_sums(d, colour, plus, minus), step, coef)

    return index, d.refined(run)


def _projection_step(d: _Differencer) -> float:
    """The step along a direction: smaller by the channel count (a power of two) where the
    third derivative is not zero, so Z moves (and truncates) as for a single entry."""
    cig = d.case.in_ch // d.case.groups
    return d.h if d.m3 == 0.0 else d.h / 2.0 ** int(np.ceil(np.log2(cig)))


def _per_unit(arr: np.ndarray, which: str, case: Case) -> np.ndarray:
    """An array over perturbed entries summed over the in-group channels: one value per unit."""
    g, cig = case.groups, case.in_ch // case.groups
    if which == "x":
        return arr.reshape(*arr.shape[:-1], g, cig).sum(axis=-1)
    return arr.reshape(*arr.shape[:-2], g, cig, arr.shape[-1]).sum(axis=-2)


def _per_entry(unit_values: np.ndarray, which: str, case: Case) -> np.ndarray:
    """Per-unit values repeated over the in-group channels: the shape of the perturbed entries."""
    return np.repeat(unit_values, case.in_ch // case.groups, axis=-1 if which == "x" else -2)


def _channel_coef(d: _Differencer, which: str) -> float:
    """max over units of sum_c |other| over a group's channels: |dZ| per unit step, at most."""
    case = d.case
    g, cig = case.groups, case.in_ch // case.groups
    other = np.abs(_arrays(d, which)[1].astype(np.float64))
    if which == "x":  # other is W (*kernel, in_ch, cog)
        return float(other.reshape(*case.kernel, g, cig, -1).sum(axis=-2).max())
    return float(other.reshape(*other.shape[:-1], g, cig).sum(axis=-1).max())  # X


def _directions(case: Case, which: str, shape: tuple[int, ...]) -> list[np.ndarray]:
    """PROJECTIONS independent standard Gaussian arrays, from the case id only."""
    return [
        case_rng(case.id, 0, f"fd-direction/{which}/{k}").standard_normal(shape)
        for k in range(PROJECTIONS)
    ]


def _projected_colour(
    d: _Differencer,
    colour: _Colour,
    directions: list[np.ndarray],
    claimed: np.ndarray,
    bound: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(worst ratio per unit over the directions, excluded per unit) for one spatial colour.

    ratio = |D - sum_c g'_c s_c| / (sum_c |s_c| B_c + N), see the module docstring.
    """
    case, which = d.case, colour.which
    target, _ = _arrays(d, which)
    index = colour.index(case, range(case.in_ch))
    got, allowed = claimed[index].astype(np.float64), bound[index]
    coef = _channel_coef(d, which)
    eps = np.finfo(np.float64).eps
    sum_terms = gamma(case.in_ch // case.groups + 2, eps)
    worst = np.zeros(0)
    excluded = np.zeros(0, bool)
    for k, r in enumerate(directions):

        def run(h: float, r: np.ndarray = r) -> Triple:
            plus, minus, step = _perturbed(target, index, h * r[index])
            sums = _sums(d, colour, plus, minus)
            delta = coef * float(np.abs(step).max()) / 2  # |dZ| at any output, at most
            truncation = d.m3 / 3 * delta**3 * sums["weight"]
            terms = got * step
            projected = _per_unit(terms, which, case)
            summation = 4 * eps * np.abs(sums["signal"]) + sum_terms * _per_unit(
                np.abs(terms), which, case
            )
            allowance = _per_unit(np.abs(step) * allowed, which, case)
            threshold = allowance + sums["rounding"] + truncation + summation
            err = np.abs(sums["signal"] - projected)
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(err == 0, 0.0, err / threshold)
            kinks = sums["kinks"] > 0 if "kinks" in sums else np.zeros(ratio.shape, bool)
            return ratio, threshold, kinks

        ratio, _, exc = d.refined(run, _projection_step(d))
        worst = ratio if k == 0 else np.maximum(worst, ratio)
        excluded = exc if k == 0 else excluded | exc
    return np.where(excluded, 0.0, worst), excluded


def _estimates(
    d: _Differencer,
    which: str,
    claimed: np.ndarray | None = None,
    bound: np.ndarray | None = None,
) -> FDEstimate:
    """dX (which = "x") or dW (which = "w"): channel by channel, or by projections.

    Projections need the implementation's gradient and bounds (`claimed`, `bound`) and more
    in-group channels than PROJECTIONS; otherwise every colour is run channel by channel.
    """
    case = d.case
    target, _ = _arrays(d, which)
    est, bnd = np.zeros(target.shape), np.zeros(target.shape)
    exc = np.zeros(target.shape, bool)
    colours = _colours(case, which)
    projecting = claimed is not None and bound is not None and uses_projections(case)
    failing: list[tuple[float, int, _Colour]] = []  # (worst ratio, failing units, colour)
    worst = 0.0
    if projecting:
        assert claimed is not None and bound is not None
        directions = _directions(case, which, target.shape)
        for colour in colours:
            ratio, excluded = _projected_colour(d, colour, directions, claimed, bound)
            index = colour.index(case, range(case.in_ch))
            est[index] = claimed[index]
            exc[index] = _per_entry(excluded, which, case)
            worst = max(worst, float(ratio.max(initial=0.0)))
            if (ratio > 1).any():
                failing.append((float(ratio.max()), int(np.count_nonzero(ratio > 1)), colour))
        failing.sort(key=lambda item: -item[0])
    projected = np.zeros(target.shape, bool) | projecting
    localized = [c for _, _, c in failing[:LOCALIZED_COLOURS]] if projecting else colours
    for colour in localized:
        for c0 in range(case.in_ch // case.groups):
            index, (e, b, x) = _channel_colour(d, colour, c0)
            est[index], bnd[index], exc[index] = e, b, x
            projected[index] = False
    out = FDEstimate(est, bnd, exc, projected=int(np.count_nonzero(projected & ~exc)))
    out.projection_ratio = worst
    if failing:
        assert claimed is not None and bound is not None
        out.unlocalized_units = sum(n for _, n, _ in failing[LOCALIZED_COLOURS:])
        rerun = ~projected & ~exc
        if not (np.abs(claimed - est) > bound + bnd)[rerun].any():
            worst_ratio, _, colour = failing[0]
            out.projection_failure = (
                f"a projection over channels is {worst_ratio:.3g} times its bound at "
                f"{_where(case, colour)}, though no single channel there is off by "
                "more than its own forward pair resolves: small errors spread over channels"
            )
    return out


def _where(case: Case, colour: _Colour) -> str:
    """The colour's members named per axis: "rows [0, 3], cols [1]" (taps for W)."""
    names = LABELS[case.spatial]
    what = "" if colour.which == "x" else "kernel "
    return ", ".join(f"{what}{name} {list(m)}" for name, m in zip(names, colour.members))


def _b_estimates(d: _Differencer) -> Triple:
    data = d.data
    assert data.b is not None
    b = data.b

    def colour(h: float) -> Triple:
        bp, bm, step = _perturbed(b, (slice(None),), h)
        ones = np.ones((1,) * data.dY.ndim, bool)
        per_output = d.pair((data.X, data.X), (data.W, data.W), (bp, bm), ones)
        sums = {k: v.sum(axis=tuple(range(data.dY.ndim - 1))) for k, v in per_output.items()}
        return d.finish(sums, step, 1.0)

    return d.refined(colour)


def fd_gradients(
    forward: Forward,
    case: Case,
    data: CaseData,
    mag: Magnitudes,
    u: float,
    *,
    claimed: dict[str, np.ndarray] | None = None,
    bounds: dict[str, np.ndarray] | None = None,
) -> dict[str, FDEstimate]:
    """Finite-difference estimates of dX, dW and (with bias) db from `forward` alone.

    With the implementation's gradients (`claimed`) and their element bounds (`bounds`),
    channels are checked by projections (module docstring); without, one colour per channel.

    W is handled in the kind's canonical layout (kh, kw, in_ch, out_ch // groups), where a
    weight's in-group channel and group sit on one axis as they do for X; the forward is
    called, and dW reported, in the contract's layout.
    """
    kind, g = case.kind, case.groups
    to_c, from_c = kind.w_canonical, kind.w_from_canonical
    W_canonical = to_c(data.W, g)
    canonical = W_canonical is not data.W  # Deconv2D's layout is the canonical one already
    if canonical:
        data = replace(data, W=W_canonical)
        user_forward = forward

        def forward(X: np.ndarray, W: np.ndarray, b: np.ndarray | None) -> np.ndarray:
            return user_forward(X, from_c(W, g), b)

        claimed = _with_w(claimed, lambda w: to_c(w, g))
        bounds = _with_w(bounds, lambda w: to_c(w, g))
    out = _fd_canonical(forward, case, data, mag, u, claimed, bounds)
    if canonical:
        est = out["dW"]
        est.estimate, est.bound = from_c(est.estimate, g), from_c(est.bound, g)
        est.excluded = from_c(est.excluded, g)
    return out


def _with_w(
    arrays: dict[str, np.ndarray] | None, convert: Callable[[np.ndarray], np.ndarray]
) -> dict[str, np.ndarray] | None:
    if arrays is None or "dW" not in arrays:
        return arrays
    return {**arrays, "dW": convert(arrays["dW"])}


def _fd_canonical(
    forward: Forward,
    case: Case,
    data: CaseData,
    mag: Magnitudes,
    u: float,
    claimed: dict[str, np.ndarray] | None,
    bounds: dict[str, np.ndarray] | None,
) -> dict[str, FDEstimate]:
    d = _Differencer(forward, case, data, mag, u)
    got, allowed = claimed or {}, bounds or {}
    out = {
        "dX": _estimates(d, "x", got.get("dX"), allowed.get("dX")),
        "dW": _estimates(d, "w", got.get("dW"), allowed.get("dW")),
    }
    if case.bias:
        out["db"] = FDEstimate(*_b_estimates(d))
    for estimate in out.values():
        estimate.forward_calls = d.calls
        estimate.stray_outputs = d.stray
    return out


def with_projections(check: Check, est: FDEstimate) -> Check:
    """The element-wise check of an estimate, completed by what its projections found.

    A projection failure that no single channel explains fails the check (its worst element
    stays the likeliest culprit); notes say how many entries projections verified and how many
    failing units were not rerun channel by channel.
    """
    notes = [check.note] if check.note else []
    if est.projected:
        notes.append(
            f"{est.projected} of {est.estimate.size} entries verified by {PROJECTIONS} random "
            f"projections over channels (worst ratio {est.projection_ratio:.3g})"
        )
        if check.passed:  # the element-wise part is 0 there: the projections' ratio says more
            check.error_ratio = max(check.error_ratio, est.projection_ratio)
    if est.unlocalized_units:
        notes.append(
            f"projections also failed on {est.unlocalized_units} more units in colours not "
            "rerun channel by channel"
        )
    if est.projection_failure:
        notes.append(est.projection_failure)
        check.passed = False
        check.n_off = max(check.n_off, 1)
        check.error_ratio = max(check.error_ratio, float(np.nextafter(1.0, 2.0)))
    check.note = "; ".join(notes)
    return check


NAME = "fd"
PHASE = "the fd oracle"
PICTURED = True


def checks(run: OracleRun) -> dict[str, Check]:
    """The oracle: the gradients against the estimates, each within its bound plus the
    estimate's, entries that crossed a kink at every step left out (and said so); forward mode
    and the second order against differences along one direction (directional_differences)."""
    case, grads, bounds = run.case, run.grads, run.bounds

    def forward(X: np.ndarray, W: np.ndarray, b: np.ndarray | None) -> np.ndarray:
        return run.forward(X, W, b, case.cfg, "Y (finite differences)")

    estimates = fd_gradients(forward, case, run.data, run.mag, run.u, claimed=grads, bounds=bounds)
    out = {}
    for q, est in estimates.items():
        check = compare(q, grads[q], est.estimate, bounds[q] + est.bound, ~est.excluded)
        n_excluded = int(est.excluded.sum())
        if n_excluded:
            check.note = (
                f"{n_excluded} of {est.excluded.size} entries crossed a kink at every "
                "step tried: no finite-difference verdict on them"
            )
        if est.stray_outputs and not check.passed:
            check.note = (
                f"{est.stray_outputs} outputs moved that the configured stride, padding "
                "and dilation say the perturbed inputs cannot reach: the forward's geometry "
                "differs from the configuration (see torch:Y)"
                + (f"; {check.note}" if check.note else "")
            )
        out[f"fd:{q}"] = with_projections(check, est)
    out.update({f"fd:{q}": c for q, c in directional_checks(run).items()})
    return out


JUDGES = ("dX", "dW", "db", "jY", "gdY", "gX", "gW", "gb")


def inconclusive(case: Case) -> str | None:
    """Finite differences of a forward that keeps fewer than float32's 24 bits resolve a
    gradient far more coarsely than the gradient's own rounding: no honest verdict."""
    return coarse_forward(case, "finite differences")
