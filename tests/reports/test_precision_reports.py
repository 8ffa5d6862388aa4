"""Precision end to end: `gradgate run` with the new dtypes and declarations, the precision
objects in report.json, the terminal, summary.md and report.html sections, inconclusive checks,
and a baseline that flags lost bits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gradgate.cases.case import parse_case_id
from gradgate.harness.options import UsageError, resolve
from gradgate.harness.reports.baseline import BITS_NOISE, compare_reports
from tests.commands import gradgate

CASE = "n2-c2x3-g1-i3x4-k3x3-s2x1-p3.3.0.1-d1x1-op0x0-b1-sigmoid"
TF32_FORWARD = "tests.oracles.precision_bank:tf32_forward_only_deconv2d"
BIG = "n4-c1024x4-g1-i4x4-k4x4-s2x2-p1.1.1.1-d1x1-op0x0-b1-identity-f32"


def test_ids_of_the_new_dtypes_and_declarations_round_trip() -> None:
    for tail in ("f16", "bf16", "f32-tf32", "f16-acc16", "bf16-accbf16", "f64", "f32"):
        case = parse_case_id(f"{CASE}-{tail}")
        assert case.id == f"{CASE}-{tail}"
    assert parse_case_id(f"{CASE}-bf16").cfg.dtype == "bfloat16"
    assert parse_case_id(f"{CASE}-f16-acc16").cfg.accumulate == "float16"
    assert parse_case_id(f"{CASE}-f32").cfg.input_precision == "float32"
    for bad, says in (
        ("f64-tf32", "input precision for float64"),
        ("f16-accbf16", "accumulation for float16"),
        ("f16-acc32", "default"),
    ):
        with pytest.raises(ValueError, match=says):
            parse_case_id(f"{CASE}-{bad}")


def test_declaring_options_name_the_option_and_what_it_accepts() -> None:
    opts = resolve({"dtype": "all", "grid": "smoke", "accumulate": "dtype"})
    tails = {c.id.split("-b1-")[-1].split("-", 1)[1] for c in opts.cases() if "-b1-" in c.id}
    assert {"f64", "f32", "f16-acc16", "bf16-accbf16"} <= tails
    tf32 = resolve({"dtype": "float32", "grid": "smoke", "input-precision": "tf32"}).cases()
    assert all(c.id.endswith("-f32-tf32") for c in tf32)
    with pytest.raises(UsageError, match="--input-precision tf32 declares float32"):
        resolve({"dtype": "float64", "input-precision": "tf32"})
    with pytest.raises(UsageError, match="--accumulate float16 declares float16"):
        resolve({"dtype": "float32", "accumulate": "float16"})
    with pytest.raises(UsageError, match="--accumulate accepts"):
        resolve({"accumulate": "int8"})
    with pytest.raises(UsageError, match="--dtype accepts"):
        resolve({"dtype": "float8"})


@pytest.mark.slow
def test_a_low_precision_run_reports_bits_and_inconclusive_oracles(tmp_path: Path) -> None:
    out = gradgate(
        "run", "--grid", "smoke", "--dtype", "bfloat16", "--report-dir", str(tmp_path), "-n", "1"
    )
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    assert "bfloat16 dW  median   8.0 of 8" in out.stdout
    assert "inconclusive checks" in out.stdout
    report = json.loads((tmp_path / "report.json").read_text())
    case = report["cases"][0]
    assert set(case["precision"]) >= {"Y", "dX", "dW"}
    assert case["precision"]["Y"]["dtype_bits"] == 8
    fd = case["checks"]["fd:dX"]
    assert fd["inconclusive"] is True and "24 bits" in fd["note"]
    summary = (tmp_path / "summary.md").read_text()
    assert "## Precision (bits kept per quantity)" in summary and "checks inconclusive" in summary
    html = (tmp_path / "report.html").read_text()
    assert 'role="img" aria-label="bits against reduction length"' in html


@pytest.mark.slow
def test_a_tf32_forward_fails_precision_alone_and_a_baseline_sees_the_bits_lost(
    tmp_path: Path,
) -> None:
    good, bad = tmp_path / "good", tmp_path / "bad"
    ok = gradgate("run", "--case", BIG, "--report-dir", str(good), "--no-diagnosis")
    assert ok.returncode == 0, ok.stdout[-2000:]
    lossy = gradgate(
        "run", "--impl", TF32_FORWARD, "--case", BIG, "--report-dir", str(bad), "--no-diagnosis"
    )
    assert lossy.returncode == 1
    report = json.loads((bad / "report.json").read_text())
    failing = [n for n, c in report["cases"][0]["checks"].items() if not c["passed"]]
    assert failing == ["precision:Y"], failing  # torch:Y, fd and adjoint all pass
    assert "precision:Y: 11.9 bits where a correct float32 layer keeps at least" in lossy.stdout
    # the same lost bits in a passing case are a regression against a baseline
    base = json.loads((good / "report.json").read_text())
    new = json.loads((good / "report.json").read_text())
    new["cases"][0]["precision"]["dW"]["bits"] -= BITS_NOISE + 0.5
    cmp = compare_reports(base, new)
    assert cmp.regressions == [BIG] and cmp.bits_lost[0][1] == "dW"
    new["cases"][0]["precision"]["dW"]["bits"] += 1.0  # within noise
    assert compare_reports(base, new).regressions == []
    (tmp_path / "new.json").write_text(json.dumps(new | {"cases": new["cases"]}))
    new["cases"][0]["precision"]["dW"]["bits"] -= 1.0
    (tmp_path / "lost.json").write_text(json.dumps(new))
    compared = gradgate("compare", str(good / "report.json"), str(tmp_path / "lost.json"))
    assert compared.returncode == 1 and "lost precision: dW" in compared.stdout


def test_the_precision_plot_draws_each_row_where_its_bits_are() -> None:
    """report.html's SVG: a dot per passing (case, quantity), a cross per failing one, one
    panel per quantity, one band per dtype and quantity, a legend naming each dtype."""
    import re

    from gradgate.harness.reports.precision_section import precision_plot

    def case(i: int, dtype: str, terms: int, bits: float, passed: bool) -> dict:
        entry = {"bits": bits, "dtype_bits": 24, "allowed_bits": 20.0, "expected_bits": 22.0}
        entry |= {"terms": terms, "ratio": 0.5}
        return {
            "id": f"c{i}",
            "config": {"dtype": dtype},
            "precision": {"Y": entry, "dW": entry},
            "checks": {"precision:Y": {"passed": passed}},
        }

    report = {"cases": [case(0, "float32", 4, 23.5, True), case(1, "float32", 1024, 12.0, False)]}
    svg = precision_plot(report)
    assert svg is not None and svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count('<g transform="translate(') == 2  # Y and dW
    assert svg.count("<circle") == 3 and svg.count('stroke="black"') == 1  # Y of c1 failed
    assert svg.count("<polygon") == 2 and "\u25cf float32</text>" in svg
    ys = [float(v) for v in re.findall(r'<circle cx="[0-9.]+" cy="([0-9.]+)"', svg)]
    assert ys[0] < ys[2]  # Y's 23.5 bits above dW's 12 (dW's second row passed: no check)
    assert precision_plot({"cases": []}) is None
