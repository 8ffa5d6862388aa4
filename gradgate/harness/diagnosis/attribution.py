"""Which factor levels explain a run's failures: the rule search of the diagnosis.

A rule is one level of `factors.LEVELS`, or two levels of different factors that must hold
together.  Against the failing cases F (failed or errored) and the passing cases P of a
report, a rule covers |F ∩ rule| failures and matches |P ∩ rule| passing cases.  Rules are
picked greedily, up to `MAX_EXPLANATIONS`: the rule that covers the most of the still
unexplained failures, then matches the fewest passing cases, a single level before a pair
(so a pair wins only by matching fewer passing cases).  A rule is accepted only when it fits
well, so that failures without a common factor get no invented explanation:

- it covers every still unexplained failure and at most a quarter of the cases it matches
  pass, or no passing case matches it and it covers at least `MIN_PARTIAL_SHARE` of all
  failures (a second bug, or a bug that does not show in every case it could); and
- a fit that good is unlikely by chance: the hypergeometric probability that the failures,
  drawn at random among the cases not explained yet, fill the rule this well, times the
  number of rules of its kind (singles, or pairs), is below `MAX_CHANCE`.

Case sets are Python ints used as bit sets, so the search stays fast on the full grid.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from gradgate.harness.diagnosis.factors import LEVELS, Level

FAILING = ("failed", "errored")
QUANTITIES = ("Y", "dX", "dW", "db")
MAX_EXPLANATIONS = 3
MIN_PRECISION = 0.75  # covered / (covered + passing matched) for a rule covering every failure
MIN_PARTIAL_SHARE = 0.25  # of all failures, for a rule that no passing case matches
MAX_CHANCE = 0.01  # Bonferroni: P(a rule fits this well by luck) x the number of such rules


@dataclass(frozen=True)
class Explanation:
    """An accepted rule and how well it fits, in the terms of report.json's `diagnosis`."""

    levels: tuple[Level, ...]
    failing_covered: int
    failing_total: int
    passing_matched: int
    quantities: tuple[str, ...]
    covered_ids: tuple[str, ...]
    text: str

    @property
    def factors(self) -> dict[str, str]:
        return {level.factor: level.value for level in self.levels}

    def as_report(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "factors": self.factors,
            "quantities": list(self.quantities),
            "failing_covered": self.failing_covered,
            "failing_total": self.failing_total,
            "passing_matched": self.passing_matched,
        }


@dataclass(frozen=True)
class Attribution:
    explanations: tuple[Explanation, ...]
    note: str


@dataclass(frozen=True)
class _Rule:
    levels: tuple[Level, ...]
    cases: int  # bit set over the report's cases

    @property
    def complexity(self) -> int:
        return len(self.levels)


def failing_quantities(case: Mapping[str, Any]) -> set[str]:
    """The quantities (Y, dX, dW, db) with a failing check in one case of a report."""
    out = set()
    for name, check in case.get("checks", {}).items():
        quantity = name.rpartition(":")[2]
        if not check.get("passed", True) and quantity in QUANTITIES:
            out.add(quantity)
    return out


def _bits(indices: Sequence[int]) -> int:
    out = 0
    for i in indices:
        out |= 1 << i
    return out


def _members(bits: int, cases: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [c for i, c in enumerate(cases) if bits >> i & 1]


def _rules(cases: Sequence[Mapping[str, Any]]) -> tuple[list[_Rule], list[_Rule]]:
    """Single levels, and pairs of levels where neither implies the other on these cases."""
    singles = []
    for level in LEVELS:
        bits = _bits([i for i, c in enumerate(cases) if level.holds(c.get("config", {}))])
        if bits:
            singles.append(_Rule((level,), bits))
    pairs = []
    for a, b in combinations(singles, 2):
        both = a.cases & b.cases
        if a.levels[0].factor != b.levels[0].factor and both not in (0, a.cases, b.cases):
            pairs.append(_Rule(a.levels + b.levels, both))
    return singles, pairs


def _acceptable(rule: _Rule, remaining: int, failing: int, passing: int) -> bool:
    covered = (rule.cases & remaining).bit_count()
    matched = (rule.cases & passing).bit_count()
    if covered == 0:
        return False
    if covered == remaining.bit_count():
        return covered / (covered + matched) >= MIN_PRECISION
    return matched == 0 and covered >= max(2, MIN_PARTIAL_SHARE * failing.bit_count())


def _log_comb(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def chance(total: int, failing: int, size: int, covered: int) -> float:
    """P(at least `covered` failures among `size` cases drawn at random from `total` cases of
    which `failing` fail): how easily a rule this good turns up by luck (hypergeometric tail)."""
    log_all = _log_comb(total, size)
    terms = [
        _log_comb(failing, x) + _log_comb(total - failing, size - x) - log_all
        for x in range(covered, min(size, failing) + 1)
        if size - x <= total - failing
    ]
    return min(1.0, sum(math.exp(t) for t in terms))


def _ranked(
    singles: list[_Rule], pairs: list[_Rule], remaining: int, failing: int, passing: int
) -> list[_Rule]:
    """The acceptable rules, best first: most unexplained failures covered, then fewest
    passing cases matched, then a single level before a pair, then the vocabulary order."""
    return sorted(  # sorted() is stable: equals keep the vocabulary order
        (r for r in singles + pairs if _acceptable(r, remaining, failing, passing)),
        key=lambda r: (
            -(r.cases & remaining).bit_count(),
            (r.cases & passing).bit_count(),
            r.complexity,
        ),
    )


def _significant(rule: _Rule, remaining: int, left: int, n_alike: int) -> bool:
    """Unlikely to fit this well by chance, judged among the cases `left` unexplained by
    earlier rules and corrected for the `n_alike` rules of its kind that could have fitted."""
    p = chance(
        left.bit_count(),
        remaining.bit_count(),
        (rule.cases & left).bit_count(),
        (rule.cases & remaining).bit_count(),
    )
    return p * n_alike < MAX_CHANCE


def attribute(cases: Sequence[Mapping[str, Any]]) -> Attribution:
    """The explanations of a report's failing cases (an empty tuple and a note when none fits)."""
    failing = _bits([i for i, c in enumerate(cases) if c["status"] in FAILING])
    passing = _bits([i for i, c in enumerate(cases) if c["status"] == "passed"])
    n_failing, n_passing = failing.bit_count(), passing.bit_count()
    if not failing:
        return Attribution((), "")
    if not passing:
        every = _explanation((), failing, failing, passing, cases)
        return Attribution(
            (every,), "no case passed, so no factor can tell the failing cases from passing ones"
        )
    singles, pairs = _rules(cases)
    remaining, left, chosen = failing, failing | passing, list[Explanation]()
    unproven: _Rule | None = None
    while remaining and len(chosen) < MAX_EXPLANATIONS:
        ranked = _ranked(singles, pairs, remaining, failing, passing)
        rule = next(
            (
                r
                for r in ranked
                if _significant(r, remaining, left, len(singles if r.complexity == 1 else pairs))
            ),
            None,
        )
        if rule is None:
            unproven = next(  # a single level that would pass a test of itself alone
                (r for r in ranked if r.complexity == 1 and _significant(r, remaining, left, 1)),
                None,
            )
            break
        chosen.append(
            _explanation(
                rule.levels,
                rule.cases & failing,
                failing,
                passing & rule.cases,
                cases,
                left=remaining.bit_count(),
                new=(rule.cases & remaining).bit_count(),
            )
        )
        remaining &= ~rule.cases
        left &= ~rule.cases
    if not chosen:
        note = (
            f"no simple rule explains the {n_failing} failing cases: no factor level, and no pair "
            f"of levels, holds for all of them and for few of the {n_passing} passing cases "
            f"({_quantity_phrase(_members(failing, cases))})"
        )
        if unproven is not None:
            what = " and ".join(level.phrase for level in unproven.levels)
            note += (
                f"; the closest, {what}, holds for {(unproven.cases & failing).bit_count()} of "
                f"them and {(unproven.cases & passing).bit_count()} passing cases, but among "
                f"{n_failing + n_passing} cases so good a fit can be chance: a larger grid "
                "would tell"
            )
        return Attribution((), note)
    note = ""
    if remaining:
        n_left = remaining.bit_count()
        note = (
            f"{n_left} of the {n_failing} failing cases {'fits' if n_left == 1 else 'fit'} none "
            "of these explanations"
        )
    return Attribution(tuple(chosen), note)


def _explanation(
    levels: tuple[Level, ...],
    covered: int,
    failing: int,
    matched: int,
    cases: Sequence[Mapping[str, Any]],
    *,
    left: int | None = None,
    new: int | None = None,
) -> Explanation:
    members = _members(covered, cases)
    quantities = tuple(q for q in QUANTITIES if any(q in failing_quantities(c) for c in members))
    n_covered, n_failing, n_matched = covered.bit_count(), failing.bit_count(), matched.bit_count()
    return Explanation(
        levels=levels,
        failing_covered=n_covered,
        failing_total=n_failing,
        passing_matched=n_matched,
        quantities=quantities,
        covered_ids=tuple(str(c["id"]) for c in members),
        text=_sentence(levels, n_covered, n_failing, n_matched, left, new)
        + "; "
        + _quantity_phrase(members),
    )


def _sentence(
    levels: tuple[Level, ...],
    covered: int,
    failing: int,
    matched: int,
    left: int | None = None,
    new: int | None = None,
) -> str:
    if not levels:
        return f"every case fails ({failing} of {failing})"
    what = " and ".join(level.phrase for level in levels)
    both = " together" if len(levels) == 2 else ""
    if left is None or left == failing:  # the first explanation
        who = (
            f"all {failing} failures"
            if covered == failing
            else f"{covered} of the {failing} failures"
        )
        head = f"failures need {what}{both}: {who} have {'both' if both else 'it'}"
        if not both:
            head = f"{who} have {what}"
    else:
        who = f"the other {left} failures" if new == left else f"{new} of the other {left} failures"
        head = f"{who} have {what}{both} ({covered} of all {failing} failures do)"
    if matched == 0:
        return f"{head}; every such case fails"
    return f"{head}; so do {matched} passing case{'s' if matched > 1 else ''}"


def _quantity_phrase(members: Sequence[Mapping[str, Any]]) -> str:
    """What is wrong in these cases, by quantity: "only dW is wrong", "Y is wrong (...)"."""
    per_case = [failing_quantities(c) for c in members]
    union = [q for q in QUANTITIES if any(q in qs for qs in per_case)]
    if not union:
        return "they error or break the contract rather than fail a comparison"
    if "Y" in union:
        grads = [q for q in union if q != "Y"]
        tail = (
            f"; {_join(grads)} {'is' if len(grads) == 1 else 'are'} wrong with it" if grads else ""
        )
        return "Y is wrong: a forward bug" + tail
    if len(union) == 1:
        return f"only {union[0]} is wrong"
    return f"{_join(union)} are wrong; Y is right"


def _join(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
