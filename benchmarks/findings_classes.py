"""Hold a framework's gate verdicts to what its findings classes predict, case by case.

    python benchmarks/findings_classes.py mlx runs/full/deconv1d/mlx/report.json ...

For each case of each report: the verdict the findings page's classes predict from the case's
configuration alone, against the verdict the gate gave.  Prints the tally per report and every
case where they differ; exits 1 if any does.  Frameworks with classes written here: mlx
(docs/findings/mlx.md #1 to #3 and its 3-D groups refusal), tensorflow
(docs/findings/tensorflow.md #1 and #4; its `unsupported` verdicts are the ops' own refusals,
which the adapter states, and are taken as given here) and jax
(docs/findings/jax.md #1: a necessary condition, so a case that meets it may pass or fail).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Callable
from typing import Any

from gradgate.cases.axes import kernel_fields, spatial_of_config

Config = dict[str, Any]


def _axes(c: Config) -> tuple[list[int], list[int], list[int], list[int], list[int]]:
    """Per axis: stride, dilation, kernel, MLX's symmetric padding, output padding."""
    n = spatial_of_config(c)
    kernel = [c[k] for k in kernel_fields(n)]
    symmetric = [min(c["padding"][2 * i], c["padding"][2 * i + 1]) for i in range(n)]
    return c["stride"], c["dilation"], kernel, symmetric, c.get("output_padding") or [0] * n


def mlx(layer: str, c: Config) -> set[str]:
    s, d, k, p, op = _axes(c)
    transposed = layer.startswith("deconv")
    axes = range(len(s))
    wrong_shape = transposed and any(s[i] > 1 and op[i] > p[i] for i in axes)  # class 1
    past_reach = transposed and any(s[i] > 1 and p[i] > d[i] * (k[i] - 1) for i in axes)  # 2
    if len(s) == 3 and c["groups"] > 1:
        return {"unsupported"}  # "[conv] Can only handle groups != 1 in 1D or 2D convolutions"
    if c["dtype"] == "float32":
        return {"failed", "errored"} if wrong_shape or past_reach else {"passed"}
    # class 3: a stride, a dilation or groups take the slow path, which has no float64 (classes
    # 1 and 2 need a stride, so they never reach the float32-precision path below)
    refused = max(s) > 1 or max(d) > 1 or c["groups"] > 1
    return {"errored"} if refused else {"failed"}  # else computed to float32 precision


def tensorflow(layer: str, c: Config) -> set[str]:
    float64 = c["dtype"] == "float64"
    if float64 and layer in ("conv1d", "conv2d") and (max(c["dilation"]) > 1 or c["groups"] > 1):
        return {"errored"}  # class 4
    if float64 and c["activation"] == "leaky_relu":
        return {"failed", "passed"}  # class 1: shows where some pre-activation is negative
    return {"passed"}


def jax(layer: str, c: Config) -> set[str]:
    s, d, k, _, op = _axes(c)
    if not layer.startswith("deconv") or c["dtype"] != "float32":
        return {"passed"}
    for i in range(len(s)):
        # JAX's padding of the stride-dilated input, as the adapter gives it
        lo = d[i] * (k[i] - 1) - c["padding"][2 * i]
        hi = d[i] * (k[i] - 1) - c["padding"][2 * i + 1] + op[i]
        if s[i] == 1 and lo < 0 < hi <= -lo:
            return {"passed", "failed"}  # class 1's necessary condition on this axis
    return {"passed"}


PREDICT: dict[str, Callable[[str, Config], set[str]]] = {
    "jax": jax,
    "mlx": mlx,
    "tensorflow": tensorflow,
}


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in PREDICT:
        print(__doc__)
        return 2
    predict, differ = PREDICT[argv[0]], 0
    for path in argv[1:]:
        with open(path) as f:
            report = json.load(f)
        tally: Counter[str] = Counter()
        for case in report["cases"]:
            if case["status"] == "unsupported" and argv[0] == "tensorflow":
                tally["unsupported"] += 1
                continue
            expected = predict(report["layer"], case["config"])
            if case["status"] in expected:
                tally[case["status"]] += 1
            else:
                differ += 1
                print(f"  {case['id']}: {case['status']}, predicted {sorted(expected)}")
        print(f"{path}: {dict(sorted(tally.items()))} as predicted")
    print(f"{differ} verdicts differ from the prediction")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
