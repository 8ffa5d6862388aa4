"""One minimal failing case per explanation: where each search starts, and running them all.

The searches run in this process when given an implementation object (tests, `explain` from
Python), or else in a child process (`search_process.py`) that loads the implementation by
name, so that an implementation which crashes or hangs in native code costs the diagnosis its
minimal cases, never the report.  The child writes its progress after every accepted move, so
even a search cut short leaves the smallest case it had reached.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gradgate.cases.case import Case, parse_case_id
from gradgate.harness.diagnosis.attribution import QUANTITIES, Explanation
from gradgate.harness.diagnosis.factors import level_named, rule_holds
from gradgate.harness.diagnosis.shrinking import Budget, Runner, Shrunk, shrink
from gradgate.harness.loading import Implementation
from gradgate.harness.oracles import ORACLES

CHECK_ORDER = (*ORACLES, "reach", "repeat")
INTERRUPTED = "the end of its process"
STARTUP_SECONDS = 30.0  # on top of the budget: the child imports numpy, torch and the impl


@dataclass(frozen=True)
class Target:
    """Where one search starts: a failing case, the check it must keep failing, the factor
    levels (factor, value) of its explanation, which every smaller case must keep, and the
    rules of the explanations before it, which no smaller case may take on."""

    start: str
    check: str
    rule: tuple[tuple[str, str], ...]
    explanation: int | None
    earlier: tuple[tuple[tuple[str, str], ...], ...] = ()

    @property
    def prefer_fields(self) -> tuple[str, ...]:
        """The field each level of the rule is mainly about (dilation for a dilated kernel),
        in the rule's order."""
        return tuple(level_named(f, v).fields[0] for f, v in self.rule)

    def keeps_rule(self, case: Case) -> bool:
        config = case.as_report_config()
        return rule_holds(self.rule, config) and not any(
            rule_holds(r, config) for r in self.earlier
        )


def _rule(explanation: Explanation) -> tuple[tuple[str, str], ...]:
    return tuple((level.factor, level.value) for level in explanation.levels)


def _size(case_id: str) -> int:
    case = parse_case_id(case_id)
    return sum(math.prod(shape) for shape in (case.x_shape, case.w_shape, case.y_shape))


def _check_of(case: Mapping[str, Any], quantities: Sequence[str]) -> str | None:
    failing = [name for name, c in case.get("checks", {}).items() if not c.get("passed", True)]
    for quantity in (*quantities, *QUANTITIES):
        for oracle in CHECK_ORDER:
            if f"{oracle}:{quantity}" in failing:
                return f"{oracle}:{quantity}"
    return failing[0] if failing else None


def pick_target(
    cases: Sequence[Mapping[str, Any]],
    explanations: Sequence[Explanation],
    index: int | None,
) -> Target | None:
    """Where to search for explanation `index`: the smallest failed case it covers and the
    explanations before it do not (any failed case when `index` is None)."""
    explanation = explanations[index] if index is not None else None
    earlier = tuple(_rule(e) for e in explanations[: index or 0])
    quantities = explanation.quantities if explanation is not None else ()
    best: tuple[int, str, str] | None = None
    for case in cases:
        config = case.get("config", {})
        if case["status"] != "failed" or any(rule_holds(r, config) for r in earlier):
            continue
        if explanation is not None and case["id"] not in explanation.covered_ids:
            continue
        check = _check_of(case, quantities)
        try:
            size = _size(case["id"])
        except ValueError:
            continue  # an id of another layer kind
        if check is not None and (best is None or size < best[0]):
            best = (size, case["id"], check)
    if best is None:
        return None
    rule = _rule(explanation) if explanation is not None else ()
    return Target(best[1], best[2], rule, index, earlier)


def search_in_process(
    impl: Implementation,
    targets: Sequence[Target],
    *,
    seed: int,
    oracles: Sequence[str],
    seconds: float,
    max_calls: int,
    progress: Path | None = None,
    derivatives: Sequence[str] = ("first",),
) -> list[Shrunk]:
    """The searches one after the other, each with an equal share of what is left."""
    total = Budget(seconds, max_calls)
    runner = Runner(impl, seed=seed, oracles=oracles, budget=total, derivatives=derivatives)
    done: list[Shrunk] = []

    def save(current: Shrunk | None = None) -> None:
        if progress is not None:  # a search still running reads as cut short if the process dies
            found = [vars(s) for s in done]
            if current is not None:
                found.append(vars(current) | {"stopped": current.stopped or INTERRUPTED})
            _write_json(progress, {"minimal_cases": found})

    for i, target in enumerate(targets):
        left = len(targets) - i
        runner.budget = Budget(
            max(total.remaining, 0.0) / left, max(total.max_calls - total.calls, 0) // left
        )
        outcome = shrink(
            runner,
            target.start,
            target.check,
            keep=target.keeps_rule,
            prefer=target.prefer_fields,
            on_progress=save,
        )
        total.calls += runner.budget.calls
        done.append(outcome)
        save()
    return done


def search_isolated(
    impl_name: str,
    targets: Sequence[Target],
    *,
    seed: int,
    oracles: Sequence[str],
    seconds: float,
    max_calls: int,
    derivatives: Sequence[str] = ("first",),
) -> tuple[list[Shrunk], str]:
    """The searches in a child process: what it found, and a note if it failed or died."""
    with tempfile.TemporaryDirectory(prefix="gradgate-diagnosis-") as tmp:
        request, result = Path(tmp) / "request.json", Path(tmp) / "result.json"
        _write_json(
            request,
            {
                "impl": impl_name,
                "seed": seed,
                "oracles": list(oracles),
                "derivatives": list(derivatives),
                "targets": [vars(t) for t in targets],
                "seconds": seconds,
                "max_calls": max_calls,
            },
        )
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (os.getcwd(), env.get("PYTHONPATH", "")) if p
        )
        command = [
            sys.executable,
            "-m",
            "gradgate.harness.diagnosis.search_process",
            str(request),
            str(result),
        ]
        problem = ""
        try:
            proc = subprocess.run(
                command, capture_output=True, text=True, env=env, timeout=seconds + STARTUP_SECONDS
            )
            if proc.returncode != 0:
                last = (proc.stderr.strip().splitlines() or [""])[-1][:200]
                problem = f"the search process ended with status {proc.returncode}" + (
                    f" ({last})" if last else ""
                )
        except subprocess.TimeoutExpired:
            problem = f"the search process was stopped after {seconds + STARTUP_SECONDS:g} s"
        found: dict[str, Any] = {}
        if result.exists():
            found = json.loads(result.read_text())
        if found.get("error"):
            return [], f"no minimal case search: {found['error']}"
        shrunk = [Shrunk(**s) for s in found.get("minimal_cases", [])]
        if problem:
            problem += " (a crash or hang in the implementation?); " + (
                "the smallest cases it had reached are kept" if shrunk else "no minimal case"
            )
        return shrunk, problem


def _write_json(path: Path, data: object) -> None:
    from gradgate.harness.atomic import write_atomic

    write_atomic(path, json.dumps(data))
