"""The smallest failing case: shrink a failing case while it keeps failing in the same check.

Moves make one thing plainer (batch, dtype, channels, then per axis the input size, kernel,
stride, dilation, output padding and padding, then bias and activation), always in the same
order; a move is taken when its case is valid, keeps the explanation's factor levels and
still fails the check, and the search goes round the moves until none is taken (a fixpoint)
or its budget (time, engine calls) runs out.  Each candidate runs through
`gradgate.harness.engine.run_case` with the run's seed and oracles, so its data is the data any
rerun of its id gets.  The passing neighbour is then one move away from the minimal case and passes
every check; the moves that lose the explanation's levels are tried first ("the same with
d1x1 passes").
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from gradgate.cases.axes import SPATIAL_AXES
from gradgate.cases.case import Case, parse_case_id
from gradgate.harness.engine import run_case
from gradgate.harness.loading import Implementation
from gradgate.harness.oracles import ORACLES
from gradgate.harness.result import CaseResult

Move = Callable[[Case], Iterator[dict[str, object]]]


def _down(value: int, plain: int) -> list[int]:
    """Plainer values than `value`: the plainest first, then one step."""
    return [v for v in dict.fromkeys((plain, value - 1)) if plain <= v < value]


def _batch(c: Case) -> Iterator[dict[str, object]]:
    for n in _down(c.batch, 1):
        yield {"batch": n}


def _dtype(c: Case) -> Iterator[dict[str, object]]:
    if c.dtype != "float64":
        yield {"dtype": "float64"}


def _channels(c: Case) -> Iterator[dict[str, object]]:
    """Fewer groups of the same size, then smaller groups, then no groups."""
    g, per_in, per_out = c.groups, c.in_ch // c.groups, c.out_ch // c.groups
    layouts = [(1, 1, 1), (g, g, g)]
    layouts += [(per_in * d, per_out * d, d) for d in range(1, g)]
    layouts += [(g * (per_in - 1), c.out_ch, g), (c.in_ch, g * (per_out - 1), g)]
    layouts += [(c.in_ch, c.out_ch, 1)]
    for in_ch, out_ch, groups in dict.fromkeys(layouts):
        if (in_ch, out_ch, groups) != (c.in_ch, c.out_ch, c.groups) and min(in_ch, out_ch) >= 1:
            yield {"in_ch": in_ch, "out_ch": out_ch, "groups": groups}


def _axis_moves(i: int) -> list[Move]:
    """The moves on spatial axis i (none on a case with fewer axes)."""

    def _set(pair: tuple[int, ...], value: int) -> tuple[int, ...]:
        return tuple(value if j == i else v for j, v in enumerate(pair))

    def sizes(c: Case) -> Iterator[dict[str, object]]:
        for v in _down(c.size[i], 1) if i < c.spatial else ():
            yield {"size": _set(c.size, v)}

    def kernels(c: Case) -> Iterator[dict[str, object]]:
        for v in _down(c.kernel[i], 1) if i < c.spatial else ():
            yield {"kernel": _set(c.kernel, v)}

    def pairs(name: str, plain: int) -> Move:
        def move(c: Case) -> Iterator[dict[str, object]]:
            if i >= c.spatial:
                return
            for v in _down(getattr(c, name)[i], plain):
                yield {name: _set(getattr(c, name), v)}
                if c.output_padding[i]:  # a smaller stride or dilation may need less of it
                    yield {
                        name: _set(getattr(c, name), v),
                        "output_padding": _set(c.output_padding, 0),
                    }

        return move

    def paddings(c: Case) -> Iterator[dict[str, object]]:
        if i >= c.spatial:
            return
        before, after = c.padding[2 * i], c.padding[2 * i + 1]
        options = [(0, 0), (before - 1, after), (before, after - 1), (min(before, after),) * 2]
        for b, a in dict.fromkeys(options):
            if (b, a) != (before, after) and min(b, a) >= 0:
                pad = list(c.padding)
                pad[2 * i], pad[2 * i + 1] = b, a
                yield {"padding": tuple(pad)}

    return [
        sizes,
        kernels,
        pairs("stride", 1),
        pairs("dilation", 1),
        pairs("output_padding", 0),
        paddings,
    ]


def _bias(c: Case) -> Iterator[dict[str, object]]:
    if c.bias:
        yield {"bias": False}


def _activation(c: Case) -> Iterator[dict[str, object]]:
    if c.activation != "identity":
        yield {"activation": "identity"}


MOVES: tuple[Move, ...] = (
    _batch,
    _dtype,
    _channels,
    *(move for i in range(max(SPATIAL_AXES)) for move in _axis_moves(i)),
    _bias,
    _activation,
)


def _candidates(case: Case, move: Move) -> Iterator[tuple[Case, tuple[str, ...]]]:
    for changes in move(case):
        try:
            yield Case(**{**dataclasses.asdict(case), **changes}), tuple(changes)
        except ValueError:
            continue  # invalid geometry: never a candidate


def neighbours(case: Case) -> list[tuple[Case, tuple[str, ...]]]:
    """Every valid one-move simplification of `case`, in move order, with the fields it changes."""
    out: dict[str, tuple[Case, tuple[str, ...]]] = {}
    for move in MOVES:
        for candidate, fields in _candidates(case, move):
            out.setdefault(candidate.id, (candidate, fields))
    return list(out.values())


@dataclass
class Budget:
    """How long the search may take and how many cases it may run, shared by several searches."""

    seconds: float
    max_calls: int
    calls: int = 0
    start: float = field(default_factory=time.monotonic)

    @property
    def remaining(self) -> float:
        return self.seconds - (time.monotonic() - self.start)

    def spent(self) -> str | None:
        """Why the search must stop now, or None."""
        if self.remaining <= 0:
            return f"the {self.seconds:g} s time budget"
        if self.calls >= self.max_calls:
            return f"the limit of {self.max_calls} engine calls"
        return None


@dataclass
class Shrunk:
    """The outcome of one search, in the terms of report.json's `diagnosis.minimal_cases`."""

    id: str
    check: str
    passing_neighbour: str = ""
    calls: int = 0
    stopped: str | None = None  # what stopped the search before a fixpoint

    def as_report(self) -> dict[str, object]:
        return {"id": self.id, "check": self.check, "passing_neighbour": self.passing_neighbour}


class Runner:
    """Runs candidate cases through the engine once each, within a shared budget."""

    def __init__(
        self,
        impl: Implementation,
        *,
        seed: int,
        oracles: Sequence[str] = ORACLES,
        budget: Budget,
        on_run: Callable[[str], None] | None = None,
        derivatives: Sequence[str] = ("first",),
    ) -> None:
        self.impl, self.seed, self.oracles, self.budget = impl, seed, tuple(oracles), budget
        self.derivatives = tuple(derivatives)
        self.on_run = on_run
        self.results: dict[str, CaseResult] = {}

    def run(self, case: Case) -> CaseResult:
        if case.id not in self.results:
            if self.on_run is not None:
                self.on_run(case.id)
            self.budget.calls += 1
            self.results[case.id] = run_case(
                self.impl,
                case,
                oracles=self.oracles,
                derivatives=self.derivatives,
                seed=self.seed,
                timeout=max(0.5, min(self.budget.remaining, 30.0)),
            )
        return self.results[case.id]

    def fails(self, case: Case, check: str) -> bool:
        result = self.run(case)
        return (
            result.status == "failed" and check in result.checks and not result.checks[check].passed
        )


def changed_parts(case_id: str, other_id: str) -> list[tuple[str, str]]:
    """The parts of two case ids that differ, as (this, other): [("d2x1", "d1x1")]."""
    return [(a, b) for a, b in zip(case_id.split("-"), other_id.split("-")) if a != b]


def shrink(
    runner: Runner,
    start: str,
    check: str,
    *,
    keep: Callable[[Case], bool] = lambda case: True,
    prefer: Sequence[str] = (),
    on_progress: Callable[[Shrunk], None] | None = None,
) -> Shrunk:
    """The smallest case reachable from `start` that still fails `check` and still has what
    `keep` asks for (the explanation's factor levels), and a neighbour that passes (one that
    changes a field in `prefer` if there is such a one)."""
    current = parse_case_id(start)
    calls_before = runner.budget.calls
    outcome = Shrunk(start, check)
    taken = True
    while taken and not outcome.stopped:  # passes over the moves until none is taken
        taken = False
        for move in MOVES:
            for candidate, _ in _candidates(current, move):
                if not keep(candidate):
                    continue
                outcome.stopped = runner.budget.spent()
                if outcome.stopped:
                    break
                if runner.fails(candidate, check):
                    current, taken, outcome.id = candidate, True, candidate.id
                    outcome.calls = runner.budget.calls - calls_before
                    if on_progress is not None:
                        on_progress(outcome)
                    break
            if outcome.stopped:
                break
    outcome.passing_neighbour = _passing_neighbour(runner, current, keep, prefer)
    outcome.calls = runner.budget.calls - calls_before
    return outcome


def _passing_neighbour(
    runner: Runner, case: Case, keep: Callable[[Case], bool], prefer: Sequence[str]
) -> str:
    """The first passing neighbour, trying first those that lose what `keep` asks for, then
    those that change an earlier `prefer` field, then those that change the fewest parts of
    the id (budget permitting)."""
    ranked = sorted(
        neighbours(case),
        key=lambda nf: (
            keep(nf[0]),
            min((prefer.index(f) for f in nf[1] if f in prefer), default=len(prefer)),
            len(changed_parts(case.id, nf[0].id)),
        ),
    )
    for candidate, _ in ranked:
        if candidate.id not in runner.results and runner.budget.spent():
            continue
        if runner.run(candidate).status == "passed":
            return candidate.id
    return ""
