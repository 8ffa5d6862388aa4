"""Cases whose worker died, run once more in a fresh process, and the verdict that follows.

A worker that dies takes its case with it; the controller learns only that it died.  The case's
crash trail (`gradgate.harness.crash_trail`) says where: in the implementation (its forward,
backward, or a call an oracle made of it) or in the torch oracle.  Each such case is run once more,
alone, in a new process (`python -m gradgate.harness.rerun`), and:

- died in the torch oracle: the rerun leaves the torch oracle out, the verdict rests on the
  oracles that ran, and the case carries an `oracle_crash` line (never the implementation's
  fault);
- died in the implementation, and the rerun dies too: `errored`, with both attempts;
- died once, and the rerun does not: `errored` as a flaky crash, with both attempts.

A case stopped by its hard time limit (`--timeout` plus a grace) in the implementation is not
rerun, as a case past its soft limit is not: it is `errored`, saying where it was; a rerun would
only take as long again.  Stopped in an oracle itself, it is that oracle's, as its crash is.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gradgate.harness.crash_trail import (
    HARD_LIMIT_PHASE,
    TRAIL_DIR_VARIABLE,
    Crash,
    crash_of,
    recording,
)

RERUN_ATTEMPT = 2
DEFAULT_RERUN_TIMEOUT = 600.0  # seconds, for a rerun of a case that had no --timeout


@dataclass(frozen=True)
class RerunRequest:
    impl: str
    case_id: str
    seed: int
    oracles: tuple[str, ...]
    timeout: float | None
    derivatives: tuple[str, ...] = ("first",)


@dataclass
class Attempt:
    """One run of a case: its result (a report.json case entry), or how its process died."""

    result: dict[str, Any] | None
    crash: Crash | None

    def describe(self) -> str:
        if self.crash is not None:
            return f"the process {self.crash.describe()}"
        assert self.result is not None
        return f"{self.result['status']}" + (
            f": {self.result['message']}" if self.result.get("message") else ""
        )


def run_in_fresh_process(request: RerunRequest, folder: Path) -> Attempt:
    """The case in a new Python process, with its own crash trail in `folder`."""
    result_path = folder / f"{request.case_id}.attempt{RERUN_ATTEMPT}.json"
    cmd = [
        sys.executable,
        "-m",
        "gradgate.harness.rerun",
        "--impl",
        request.impl,
        "--case",
        request.case_id,
        "--seed",
        str(request.seed),
        "--oracles",
        ",".join(request.oracles),
        "--derivatives",
        ",".join(request.derivatives),
        "--trail-dir",
        str(folder),
        "--result",
        str(result_path),
    ]
    if request.timeout is not None:
        cmd += ["--timeout", str(request.timeout)]
    limit = (request.timeout or DEFAULT_RERUN_TIMEOUT) + 60
    with contextlib.suppress(subprocess.TimeoutExpired):  # then the trail says where it hung
        subprocess.run(
            cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=limit, check=False
        )
    try:
        return Attempt(json.loads(result_path.read_text()), None)
    except (OSError, json.JSONDecodeError):
        return Attempt(None, crash_of(folder, request.case_id, RERUN_ATTEMPT))


def settle(request: RerunRequest, first: Crash, folder: Path) -> dict[str, Any]:
    """The report entry of a case whose first attempt died with `first`."""
    if first.phase.startswith(HARD_LIMIT_PHASE) and first.oracle is None:
        return {
            "status": "errored",
            "message": f"the worker process {first.describe()}; not run again automatically (a "
            "case past its time limit never is)",
            "attempts": [f"attempt 1: the worker process {first.describe()}"],
        }
    oracle = first.oracle
    oracles = tuple(o for o in request.oracles if o != oracle)
    second = run_in_fresh_process(dataclasses.replace(request, oracles=oracles), folder)
    attempts = [
        f"attempt 1: the worker process {first.describe()}",
        f"attempt 2: {second.describe()}",
    ]
    if oracle is not None:
        crash_line = (
            f"the {oracle} oracle crashed the worker (attempt 1: {first.describe()}); "
            f"this verdict is from a rerun without it, on {', '.join(oracles) or 'no oracle'}"
        )
        if second.result is not None:
            entry = dict(second.result)
            entry["oracle_crash"] = crash_line
            entry["attempts"] = attempts
            return entry
        assert second.crash is not None
        return {
            "status": "errored",
            "message": f"the worker process {second.crash.describe()} on the rerun without the "
            f"{oracle} oracle",
            "oracle_crash": crash_line,
            "attempts": attempts,
        }
    if second.crash is not None:
        message = (
            f"the worker process {first.describe()}; the rerun in a fresh process died too: "
            + ("the same way" if second.crash.phase == first.phase else second.crash.describe())
        )
    else:
        assert second.result is not None
        message = (
            f"flaky crash: the worker process {first.describe()}; the rerun in a fresh process "
            f"did not crash ({second.result['status']})"
        )
    return {"status": "errored", "message": message, "attempts": attempts}


def settle_all(
    requests: Sequence[tuple[RerunRequest, Crash]], folder: Path, workers: int
) -> dict[str, dict[str, Any]]:
    """Every crashed case settled, `workers` reruns at a time, keyed by case id."""
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        entries = list(pool.map(lambda rc: settle(rc[0], rc[1], folder), requests))
    return {req.case_id: entry for (req, _), entry in zip(requests, entries)}


def _main(argv: Sequence[str] | None = None) -> int:
    """The child: one case through the engine, its result written to --result as JSON."""
    parser = argparse.ArgumentParser(prog="python -m gradgate.harness.rerun")
    parser.add_argument("--impl", required=True)
    parser.add_argument("--case", required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--oracles", default="")
    parser.add_argument("--derivatives", default="first")
    parser.add_argument("--timeout", type=float, default=None)
    parser.add_argument("--trail-dir", required=True)
    parser.add_argument("--result", required=True)
    args = parser.parse_args(argv)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    import torch

    from gradgate.cases.case import parse_case_id
    from gradgate.harness.engine import run_case
    from gradgate.harness.loading import load_implementation

    torch.set_num_threads(1)
    os.environ[TRAIL_DIR_VARIABLE] = args.trail_dir
    case = parse_case_id(args.case)
    impl = load_implementation(args.impl, case.layer)
    oracles = tuple(o for o in args.oracles.split(",") if o)
    with recording(Path(args.trail_dir), args.case, RERUN_ATTEMPT):
        result = run_case(
            impl,
            case,
            oracles=oracles,
            derivatives=tuple(args.derivatives.split(",")),
            seed=args.seed,
            timeout=args.timeout,
            hard_grace=max(5.0, args.timeout or 0) if args.timeout else None,
        )
    out = Path(args.result)
    with tempfile.NamedTemporaryFile("w", dir=out.parent, delete=False, suffix=".tmp") as fh:
        json.dump(result.as_report(), fh, allow_nan=False)
    os.replace(fh.name, out)
    return 0


if __name__ == "__main__":
    from gradgate.harness.process_exit import finish

    finish(_main())  # the result is written: skip the interpreter's clean-up of torch
