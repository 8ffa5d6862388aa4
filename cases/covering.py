"""A deterministic pairwise covering array under constraints.

Greedy, in the manner of AETG: start each row from the first pair not yet covered, then give
each remaining factor the level that covers the most uncovered pairs while the row can still
be completed.  Feasibility of a partial row is decided by a complete backtracking search, so a
pair is dropped only when no valid row can hold it (`feasible_pairs`), never silently.

`components` (optional) names groups of factors that constrain only each other; the search
then runs per group, which keeps it fast when one group is infeasible.  Factors in no group
must be unconstrained.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from itertools import combinations

Level = Hashable
Factors = Sequence[tuple[str, Sequence[Level]]]
Row = dict[str, Level]
Pair = tuple[str, Level, str, Level]
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


def all_pairs(factors: Factors) -> list[Pair]:
    """Every pair of levels of two different factors, in a fixed order."""
    pairs: list[Pair] = []
    for (f1, levels1), (f2, levels2) in combinations(factors, 2):
        pairs.extend((f1, v1, f2, v2) for v1 in levels1 for v2 in levels2)
    return pairs


def feasible_pairs(
    factors: Factors, violates: Violates, components: Components | None = None
) -> list[Pair]:
    """The pairs that at least one valid full row contains."""
    return [
        p
        for p in all_pairs(factors)
        if completable({p[0]: p[1], p[2]: p[3]}, factors, violates, components)
    ]


def pairs_of(row: Row, factors: Factors) -> list[Pair]:
    names = [name for name, _ in factors if name in row]
    return [(f1, row[f1], f2, row[f2]) for f1, f2 in combinations(names, 2)]


def pairwise_rows(
    factors: Factors, violates: Violates, components: Components | None = None
) -> list[Row]:
    """Rows that together contain every feasible pair, each row valid."""
    order = {name: i for i, (name, _) in enumerate(factors)}
    uncovered = {p: None for p in feasible_pairs(factors, violates, components)}  # ordered set
    rows: list[Row] = []
    while uncovered:
        f1, v1, f2, v2 = next(iter(uncovered))
        row: Row = {f1: v1, f2: v2}
        for name, levels in factors:
            if name in row:
                continue
            best, best_gain = None, -1
            for level in levels:
                row[name] = level
                if completable(row, factors, violates, components):
                    gain = sum(
                        _key(order, name, level, other, row[other]) in uncovered
                        for other in row
                        if other != name
                    )
                    if gain > best_gain:
                        best, best_gain = level, gain
                del row[name]
            row[name] = best
        rows.append(row)
        for pair in pairs_of(row, factors):
            uncovered.pop(_key(order, pair[0], pair[1], pair[2], pair[3]), None)
    return rows


def _key(order: dict[str, int], fa: str, va: Level, fb: str, vb: Level) -> Pair:
    """A pair in the factor order that `all_pairs` uses."""
    return (fa, va, fb, vb) if order[fa] < order[fb] else (fb, vb, fa, va)
