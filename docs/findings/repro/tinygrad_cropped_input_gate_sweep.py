"""tinygrad 0.14 (CPU, clang): docs/findings/tinygrad.md #1 on the gate's own cases.

Every case of the six kinds' `default` grids whose input reaches no output (dX exactly 0 by
the geometry: `gradgate.harness.reach`), float64 and float32, in a fresh process with
tinygrad's DEBUG=4: the layer built as the gate's tinygrad adapter builds it
(`gradgate.harness.frameworks.tinygrad`), and dX alone asked for and realised, as the adapter
realises it first, so that any kernel with an empty reduce loop is dX's (in these geometries
dW is exactly 0 too).  Does dX's kernel hold an empty reduce loop, does compiling it raise, and
what max |dX| came back.  Needs gradgate (this repository), tinygrad.
Run: python tinygrad_cropped_input_gate_sweep.py   (exits 1 while any case shows the defect)
"""

import os
import re
import subprocess
import sys

EMPTY = re.compile(r"for \(int Ridx\w* = 0; Ridx\w* < \d+; Ridx\w*\+\+\) \{\s*\}")
KINDS = ("conv1d", "conv2d", "conv3d", "deconv1d", "deconv2d", "deconv3d")


def cropped_cases() -> list[tuple[str, str]]:
    from gradgate.cases.kinds import layer_kind
    from gradgate.harness.reach import unreached

    found = []
    for kind in KINDS:
        for case in layer_kind(kind).grid_cases("default", ("float64", "float32")):
            mask = unreached(case).get("dX")
            if mask is not None and mask.all():
                found.append((kind, case.id))
    return found


def child(kind: str, case_id: str) -> None:
    import importlib

    import numpy as np
    from tinygrad import Tensor

    from gradgate.cases.case import parse_case_id
    from gradgate.harness.data import case_data
    from gradgate.harness.frameworks.translations import nchw

    case = parse_case_id(case_id)
    kind_ops = importlib.import_module(f"gradgate.harness.frameworks.tinygrad.{kind}")
    ops = kind_ops.backward.__self__  # the adapter's Kind: its layer, its layouts
    d = case_data(case, 0)
    tensors = ops._tensors(d.X, d.W, d.b)
    y = ops._output(tensors, d.b is not None, case.cfg)
    (dx_tensor,) = y.gradient(tensors[0], gradient=Tensor(nchw(d.dY)))
    try:
        dx = dx_tensor.numpy()
    except ValueError as error:
        print("RESULT raises", str(error)[:60])
        return
    print("RESULT", float(np.abs(dx).max()) if np.isfinite(dx).all() else "nan")


if __name__ == "__main__":
    if len(sys.argv) == 3:
        child(*sys.argv[1:])
        raise SystemExit(0)
    wrong = 0
    cases = cropped_cases()
    for kind, case_id in cases:
        out = subprocess.run(
            [sys.executable, __file__, kind, case_id],
            capture_output=True,
            text=True,
            env={**os.environ, "DEBUG": "4"},
        )
        result = [line[7:] for line in out.stdout.splitlines() if line.startswith("RESULT")]
        raised = bool(result) and result[-1].startswith("raises")
        if not result or not (raised or re.search(r"\nvoid [Er](_\w+)?\(", out.stdout)):
            print(f"{case_id}: no result or no kernel source seen:\n{out.stderr[-500:]}")
            raise SystemExit(2)  # the sweep cannot tell: neither "fixed" nor "present"
        shown = result[-1]
        empty = bool(EMPTY.search(out.stdout))
        wrong += empty or "raises" in shown
        print(f"{case_id:<78} empty loop {str(empty):<5} max |dX| {shown}", flush=True)
    print(f"{wrong} of {len(cases)} cases whose input reaches no output show the defect")
    raise SystemExit(1 if wrong else 0)
