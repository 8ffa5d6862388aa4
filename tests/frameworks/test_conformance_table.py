"""benchmarks/conformance_table.py: the counts per factor, from reports; and
benchmarks/findings_classes.py: the verdicts the findings classes predict."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

from gradgate.cases.case import parse_case_id

ROOT = Path(__file__).resolve().parents[2]


def _script(name: str = "conformance_table") -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _case(case_id: str, status: str) -> dict[str, object]:
    return {"id": case_id, "status": status, "config": parse_case_id(case_id).as_report_config()}


def test_cells_count_each_verdict_of_the_cases_with_the_factor(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    depthwise = "n2-c4x8-g4-i3x4-k3x3-s2x2-p1.1.1.1-d1x1-op0x0-b0-tanh-f64"
    plain = "n1-c1x1-g1-i3x4-k3x3-s1x1-p0.0.0.0-d1x1-op0x0-b1-relu-f32"
    beyond = "n1-c1x1-g1-i3x4-k2x2-s1x1-p2.0.0.0-d1x1-op0x0-b1-relu-f64"
    a = {"cases": [_case(depthwise, "failed"), _case(plain, "passed")]}
    b = {"cases": [_case(plain, "errored"), _case(beyond, "unsupported")]}  # plain: counted once
    (tmp_path / "a.json").write_text(json.dumps(a))
    (tmp_path / "b.json").write_text(json.dumps(b))
    assert _script().main([f"fw={tmp_path / 'a.json'},{tmp_path / 'b.json'}"]) == 0
    row = capsys.readouterr().out.strip().splitlines()[-1].split(" | ")
    head = ["all cases", "stride > 1", "asymmetric padding", "padding > dilation·(k-1)"]
    head += ["dilation > 1", "output padding", "groups (not depthwise)", "depthwise"]
    head += ["identity", "relu", "leaky_relu", "tanh", "sigmoid", "float32", "float64"]
    cells = dict(zip(head, row[1:]))
    assert cells["all cases"] == "[1 / 1 / 0 / 1](findings/fw.md)"
    assert (
        cells["depthwise"]
        == cells["tanh"]
        == cells["stride > 1"]
        == "[0 / 1 / 0 / 0](findings/fw.md)"
    )
    assert cells["padding > dilation·(k-1)"] == cells["asymmetric padding"] == "0 / 0 / 0 / 1"
    assert cells["relu"] == "1 / 0 / 0 / 1" and cells["float32"] == "1 / 0 / 0 / 0"
    assert cells["dilation > 1"] == "0 / 0 / 0 / 0"


def _report(tmp_path: Path, layer: str, cases: list[dict[str, object]]) -> str:
    path = tmp_path / f"{layer}.json"
    path.write_text(json.dumps({"layer": layer, "cases": cases}))
    return str(path)


def test_findings_classes_predict_each_verdict_and_name_the_ones_that_differ(
    tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    classes = _script("findings_classes")
    # MLX: class 1 (stride 2, output padding 1 > padding 0) fails in float32; the same axis
    # with stride 1 passes; float64 with a stride is refused (class 3); 3-D groups unsupported
    deconv1d = [
        _case("deconv1d-n1-c1x1-g1-i3-k3-s2-p0.0-d1-op1-b0-relu-f32", "failed"),
        _case("deconv1d-n1-c1x1-g1-i3-k3-s1-p0.0-d2-op1-b0-relu-f32", "passed"),
        _case("deconv1d-n1-c1x1-g1-i3-k3-s2-p1.1-d1-op0-b0-relu-f64", "errored"),
        # class 2: padding 1 past a 1-tap kernel's reach, with stride 3: an error or a short Y
        _case("deconv1d-n1-c1x1-g1-i3-k1-s3-p1.1-d1-op0-b0-relu-f32", "errored"),
    ]
    conv3d = [
        _case(
            "conv3d-n1-c2x2-g2-i3x3x3-k1x1x1-s1x1x1-p0.0.0.0.0.0-d1x1x1-b0-relu-f32", "unsupported"
        )
    ]
    reports = [_report(tmp_path, "deconv1d", deconv1d), _report(tmp_path, "conv3d", conv3d)]
    assert classes.main(["mlx", *reports]) == 0
    # a verdict the classes do not predict (a class 1 case passing) is named, and exits 1
    deconv1d[0]["status"] = "passed"
    assert classes.main(["mlx", _report(tmp_path, "deconv1d", deconv1d)]) == 1
    assert "deconv1d-n1-c1x1-g1-i3-k3-s2-p0.0-d1-op1-b0-relu-f32: passed" in capsys.readouterr().out
    # TensorFlow: float64 dilated conv2d gradients refused (class 4); float32 the same passes
    conv2d = [
        _case("conv2d-n1-c1x1-g1-i5x5-k3x3-s1x1-p0.0.0.0-d2x2-b0-relu-f64", "errored"),
        _case("conv2d-n1-c1x1-g1-i5x5-k3x3-s1x1-p0.0.0.0-d2x2-b0-relu-f32", "passed"),
        # class 1: float64 leaky_relu fails where a pre-activation is negative
        _case("conv2d-n1-c1x1-g1-i5x5-k3x3-s1x1-p0.0.0.0-d1x1-b0-leaky_relu-f64", "failed"),
    ]
    assert classes.main(["tensorflow", _report(tmp_path, "conv2d", conv2d)]) == 0
    conv2d[1]["status"] = "errored"
    assert classes.main(["tensorflow", _report(tmp_path, "conv2d", conv2d)]) == 1
    # jax: class 1's necessary condition (stride 1, lo < 0 < hi <= -lo: here lo -1, hi 1) allows
    # a float32 failure; the same failure without it (padding 0: lo 1) is not predicted
    deconv1d = [_case("deconv1d-n1-c2x4-g1-i5-k2-s1-p2.0-d1-op0-b0-identity-f32", "failed")]
    assert classes.main(["jax", _report(tmp_path, "deconv1d", deconv1d)]) == 0
    deconv1d = [_case("deconv1d-n1-c2x4-g1-i5-k2-s1-p0.0-d1-op0-b0-identity-f32", "failed")]
    assert classes.main(["jax", _report(tmp_path, "deconv1d", deconv1d)]) == 1
