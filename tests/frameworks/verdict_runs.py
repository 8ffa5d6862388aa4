"""Every verdict the framework tests need from one framework, computed in one process.

`python -m tests.frameworks.verdict_runs NAME PLAN` runs the jobs of PLAN (a JSON object
{key: [what, dtypes, layers, positions or null]}, `what` being "first" for
framework_verdicts.verdicts and "higher" for derivative_verdicts.verdicts) and prints one JSON
object {key: {"layer/dtype": verdicts}}.

One process per framework, not one per job: importing a framework costs seconds of CPU
(TensorFlow about 5 s, jax and Paddle 1 to 2 s, torch 1.5 s), and jax and tinygrad keep the
kernels they compiled for one job for the next.  A native crash of the framework, or torch's
float32 conv backward, still stays out of the test process.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from tests.commands import ROOT
from tests.frameworks import derivative_verdicts, framework_verdicts

# what, dtypes, layers, positions of the smoke grid (None: all of it)
Job = tuple[str, tuple[str, ...], tuple[str, ...], tuple[int, ...] | None]


def run(name: str, job: Job) -> dict[str, Any]:
    what, dtypes, layers, positions = job
    out: dict[str, Any] = {}
    for layer in layers:
        for dtype in dtypes:
            if what == "first":
                got: Any = framework_verdicts.verdicts(name, dtype, layer, positions)
            else:
                got = derivative_verdicts.verdicts(name, dtype, positions, layer)
            out[f"{layer}/{dtype}"] = got
    return out


def runs_in_a_subprocess(name: str, plan: dict[str, Job]) -> dict[str, dict[str, Any]]:
    """{key: {"layer/dtype": verdicts}} for every job of `plan`, from one process
    (`python -m tests.frameworks.verdict_runs`, run from the repository's root): the JSON
    object its last line prints."""
    out = subprocess.run(
        [sys.executable, "-m", __name__, name, json.dumps(plan)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main(argv: list[str]) -> None:
    name, plan = argv[0], json.loads(argv[1])
    jobs = {
        key: (what, tuple(dtypes), tuple(layers), None if p is None else tuple(p))
        for key, (what, dtypes, layers, p) in plan.items()
    }
    print(json.dumps({key: run(name, job) for key, job in jobs.items()}))


if __name__ == "__main__":
    from gradgate.harness.process_exit import finish

    main(sys.argv[1:])
    finish(0)  # the verdicts are printed: skip the frameworks' clean-up (TensorFlow's: 1.7 s)
