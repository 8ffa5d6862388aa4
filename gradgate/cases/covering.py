"""Deterministic covering arrays of strength 2 (pairs) or more (triples, ...) under constraints.

Greedy, in the manner of AETG: start each row from the first interaction (a tuple of levels of
`strength` different factors) not yet covered, then give each remaining factor the level that
covers the most uncovered interactions while the row can still be completed.  Feasibility of a
partial row is decided by a complete backtracking search, so an interaction is dropped only
when no valid row can hold it (`feasible_interactions`), never silently.

`components` (optional) names groups of factors that constrain only each other; the search
then runs per group, which keeps it fast when one group is infeasible.  Factors in no group
must be unconstrained.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from itertools import combinations, product

Level = Hashable
Factors = Sequence[tuple[str, Sequence[Level]]]
Row = dict[str, Level]
Pair = tuple[str, Level, str, Level]
Interaction = tuple[tuple[str, Level], ...]  # (factor, level) in factor order
Violates = Callable[[Row], bool]
Components = Sequence[Sequence[str]]


def completable(
    row: Row, factors: Factors, violates: Violates, components: Components | None = None
) -> bool:
    """True when some assignment of the factors missing from `row` satisfies the constraints."""
    if components is not None:
        return all(
            _search(
                {k: v for k, v in row.items() if k in group},
                [(n, levels) for n, levels in factors if n in group],
                violates,
            )
            for group in components
        )
    return _search(dict(row), factors, violates)


class _Completability:
    """`completable` for one set of factors and constraints, each group's answer remembered: the
    greedy search asks again and again about the same partial rows of a group."""

    def __init__(self, factors: Factors, violates: Violates, components: Components | None):
        self.violates = violates
        groups = [list(g) for g in components] if components is not None else [None]
        self.groups = [
            (
                frozenset(n for n, _ in factors) if g is None else frozenset(g),
                [(n, lv) for n, lv in factors if g is None or n in g],
            )
            for g in groups
        ]
        self.known: dict[tuple[int, frozenset], bool] = {}

    def __call__(self, row: Row) -> bool:
        for i, (names, group_factors) in enumerate(self.groups):
            part = {k: v for k, v in row.items() if k in names}
            key = (i, frozenset(part.items()))
            if key not in self.known:
                self.known[key] = _search(part, group_factors, self.violates)
            if not self.known[key]:
                return False
        return True


def _search(row: Row, factors: Factors, violates: Violates) -> bool:
    if violates(row):
        return False
    for name, levels in factors:
        if name not in row:
            for level in levels:
                row[name] = level
                ok = _search(row, factors, violates)
                del row[name]
                if ok:
                    return True
            return False
    return True


def all_interactions(factors: Factors, strength: int) -> list[Interaction]:
    """Every tuple of levels of `strength` different factors, in a fixed order."""
    out: list[Interaction] = []
    for chosen in combinations(factors, strength):
        names = [name for name, _ in chosen]
        for levels in product(*(lv for _, lv in chosen)):
            out.append(tuple(zip(names, levels)))
    return out


def feasible_interactions(
    factors: Factors, violates: Violates, strength: int, components: Components | None = None
) -> list[Interaction]:
    """The interactions that at least one valid full row contains."""
    return _feasible(factors, strength, _Completability(factors, violates, components))


def _feasible(factors: Factors, strength: int, can: _Completability) -> list[Interaction]:
    return [t for t in all_interactions(factors, strength) if can(dict(t))]


def interactions_of(row: Row, factors: Factors, strength: int) -> list[Interaction]:
    names = [name for name, _ in factors if name in row]
    return [tuple((n, row[n]) for n in chosen) for chosen in combinations(names, strength)]


def all_pairs(factors: Factors) -> list[Pair]:
    """Every pair of levels of two different factors, in a fixed order."""
    return [_flat(t) for t in all_interactions(factors, 2)]


def feasible_pairs(
    factors: Factors, violates: Violates, components: Components | None = None
) -> list[Pair]:
    """The pairs that at least one valid full row contains."""
    return [_flat(t) for t in feasible_interactions(factors, violates, 2, components)]


def pairs_of(row: Row, factors: Factors) -> list[Pair]:
    return [_flat(t) for t in interactions_of(row, factors, 2)]


def _flat(t: Interaction) -> Pair:
    (f1, v1), (f2, v2) = t
    return (f1, v1, f2, v2)


def pairwise_rows(
    factors: Factors, violates: Violates, components: Components | None = None
) -> list[Row]:
    """Rows that together contain every feasible pair, each row valid."""
    return covering_rows(factors, violates, 2, components)


def covering_rows(
    factors: Factors, violates: Violates, strength: int, components: Components | None = None
) -> list[Row]:
    """Rows that together contain every feasible interaction of `strength` factors, each valid."""
    if not 2 <= strength <= len(factors):
        raise ValueError(
            f"strength must be in 2..{len(factors)} (the factor count), got {strength}"
        )
    order = {name: i for i, (name, _) in enumerate(factors)}
    can = _Completability(factors, violates, components)
    uncovered = dict.fromkeys(_feasible(factors, strength, can))
    rows: list[Row] = []
    while uncovered:
        row: Row = dict(next(iter(uncovered)))
        for name, levels in factors:
            if name in row:
                continue
            best, best_gain = None, -1
            others = [n for n in row if n != name]
            for level in levels:
                row[name] = level
                if can(row):
                    gain = sum(
                        _in_order(order, row, (name, *chosen)) in uncovered
                        for chosen in combinations(others, strength - 1)
                    )
                    if gain > best_gain:
                        best, best_gain = level, gain
                del row[name]
            row[name] = best
        rows.append(row)
        for t in interactions_of(row, factors, strength):
            uncovered.pop(t, None)
    return rows


def _in_order(order: dict[str, int], row: Row, names: Sequence[str]) -> Interaction:
    """The interaction of `row` on `names`, in the factor order `all_interactions` uses."""
    return tuple((n, row[n]) for n in sorted(names, key=order.__getitem__))
