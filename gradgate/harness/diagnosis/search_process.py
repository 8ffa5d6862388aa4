"""The child process of the minimal case search: `python -m
gradgate.harness.diagnosis.search_process
REQUEST.json RESULT.json` (see `minimal_cases.search_isolated`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def main(argv: list[str]) -> int:
    request_path, result_path = Path(argv[0]), Path(argv[1])
    request = json.loads(request_path.read_text())
    import torch

    from gradgate.cases.kinds import DEFAULT_LAYER, kind_of_case_id
    from gradgate.harness.diagnosis.minimal_cases import _write_json, search_in_process
    from gradgate.harness.loading import ImplementationError, load_implementation

    torch.set_num_threads(1)  # like a gate worker: the machine is shared
    layer = kind_of_case_id(request["targets"][0]["start"]) if request["targets"] else DEFAULT_LAYER
    try:
        impl = load_implementation(request["impl"], layer)
    except ImplementationError as exc:
        _write_json(result_path, {"error": f"the implementation cannot be loaded here: {exc}"})
        return 0
    search_in_process(
        impl,
        [_target(t) for t in request["targets"]],
        seed=request["seed"],
        oracles=request["oracles"],
        derivatives=request.get("derivatives", ["first"]),
        seconds=request["seconds"],
        max_calls=request["max_calls"],
        progress=result_path,
    )
    return 0


def _target(data: dict[str, Any]) -> Any:
    from gradgate.harness.diagnosis.minimal_cases import Target

    def rule(pairs: list[list[str]]) -> tuple[tuple[str, str], ...]:
        return tuple((str(f), str(v)) for f, v in pairs)

    earlier = tuple(rule(r) for r in data["earlier"])
    return Target(data["start"], data["check"], rule(data["rule"]), data["explanation"], earlier)


if __name__ == "__main__":
    from gradgate.harness.process_exit import finish

    finish(main(sys.argv[1:]))  # the result is written: skip the clean-up of torch
