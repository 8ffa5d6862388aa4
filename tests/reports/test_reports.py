"""The report files: escaping, size limits, atomic writes, baseline comparison, merging."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gradgate.harness import atomic
from gradgate.harness.merge import merge_reports
from gradgate.harness.reports.baseline import compare_reports
from gradgate.harness.reports.html import render_html
from gradgate.harness.reports.report_json import (
    ReportError,
    build_report,
    read_report,
    write_report,
)
from gradgate.harness.reports.summary_md import MAX_BYTES, render_summary

ENV = {"python": "3", "numpy": "2", "torch": "2", "platform": "test"}


def _case(case_id: str, status: str, ratio: float = 0.1, message: str = "") -> dict:
    check = {
        "passed": status == "passed",
        "max_abs_err": 0.0,
        "max_rel_err": 0.0,
        "error_ratio": ratio,
        "worst_index": [0],
    }
    return {
        "id": case_id,
        "status": status,
        "config": {},
        "checks": {"torch:Y": check},
        "message": message,
        "duration_s": 0.0,
    }


def _report(*cases: dict) -> dict:
    return build_report(list(cases), implementation="m:f", grid="default", seed=0, env=ENV)


def test_html_escapes_every_string_from_the_report() -> None:
    evil = "<script>alert(1)</script>"
    report = _report(_case(f"id{evil}", "failed", 5.0, message=f"off {evil} & more"))
    report["implementation"] = evil
    page = render_html(report, {f"id{evil}": b"\x89PNG"})
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count("<script>") == 1  # the page's own sorting script only


def test_html_puts_each_failing_check_of_every_family_on_its_own_line() -> None:
    parts = [
        "torch:dW: 1 of 4 off; worst at (kh=0, kw=0, in=0, out=0): expected 0, got 1",
        "reach:dW: 4 of 4 off; all at kw=0",
        "layout:dX: 2 of 8 off; with X Fortran-ordered, against the contiguous call",
        "repeat:db: 1 of 3 off",
        "contract:inputs: the calls modified their inputs: X",
    ]
    message = "; ".join(parts) + ". Rerun: gradgate run --case c"
    page = render_html(_report(_case("c", "failed", 5.0, message=message)), {})
    assert "<br>".join([*parts, "Rerun: gradgate run --case c"]) in page


def test_summary_stays_under_one_mebibyte() -> None:
    cases = [_case(f"c{i}", "failed", 2.0, message="x" * 5000) for i in range(5000)]
    text = render_summary(_report(*cases))
    assert len(text.encode()) <= MAX_BYTES
    assert "… and 4800 more (see report.json)" in text


def test_an_interrupted_write_leaves_the_old_file(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "report.json"
    target.write_text("old and whole")

    def crash(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        atomic.write_atomic(target, "new" * 1000)
    assert target.read_text() == "old and whole"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_reports_round_trip_and_bad_ones_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    write_report(path, _report(_case("a", "passed")))
    assert read_report(path)["cases"][0]["id"] == "a"
    path.write_text(json.dumps({"schema": 1, "cases": [{"id": "a", "status": "weird"}]}))
    with pytest.raises(ReportError, match="no valid 'cases' list"):
        read_report(path)
    path.write_text("[1, 2]")
    with pytest.raises(ReportError, match="not a gradgate report"):
        read_report(path)


def test_compare_finds_regressions_fixes_drift_new_and_removed() -> None:
    base = _report(
        _case("reg", "passed"),
        _case("fix", "failed", 3.0),
        _case("drift", "passed", 0.01),
        _case("steady", "passed", 0.2),
        _case("gone", "passed"),
    )
    new = _report(
        _case("reg", "errored", 1.0),
        _case("fix", "passed"),
        _case("drift", "passed", 0.5),
        _case("steady", "passed", 0.3),
        _case("fresh", "passed"),
    )
    cmp = compare_reports(base, new)
    assert cmp.regressions == ["reg"] and cmp.fixed == ["fix"]
    assert cmp.drift == [("drift", 0.01, 0.5)]
    assert cmp.new == ["fresh"] and cmp.removed == ["gone"]


def test_merge_refuses_mismatched_shards() -> None:
    a, b = _report(_case("a", "passed")), _report(_case("b", "failed"))
    merged = merge_reports([("A", a), ("B", b)])
    assert merged["summary"] == {
        "total": 2,
        "passed": 1,
        "failed": 1,
        "errored": 0,
        "unsupported": 0,
    }
    b["grid"] = "full"
    with pytest.raises(ReportError, match="B has grid 'full' but A has 'default'"):
        merge_reports([("A", a), ("B", b)])


@pytest.mark.parametrize(
    "case_id",
    [
        "n1-c1x2-g1-i1x1-k1x2-s1x1-p0.0.0.0-d1x1-op0x0-b1-tanh-f64",  # 1-cell axes everywhere
        "n2-c3x6-g3-i5x4-k3x4-s3x3-p0.2.2.0-d3x1-op2x1-b1-identity-f64",  # 19 x 11 output
    ],
)
def test_heatmaps_have_whole_number_ticks_on_every_shape(case_id: str) -> None:
    import matplotlib.pyplot as plt

    from gradgate.cases.case import parse_case_id
    from gradgate.harness.engine import run_case
    from gradgate.harness.loading import load_implementation
    from gradgate.harness.reports.figures import draw_errors, integer_ticks

    assert integer_ticks(1) == [0] and integer_ticks(10) == list(range(10))
    assert integer_ticks(19) == list(range(0, 19, 2))
    result = run_case(
        load_implementation("tests.kinds.deconv2d.bugged_impls:flipped_kernel"),
        parse_case_id(case_id),
    )
    fig = draw_errors(result)
    try:
        panels = [ax for ax in fig.axes if ax.get_title()]  # the colour bars have no title
        assert [ax.get_title().split(" ")[0] for ax in panels][:3] == [
            "torch:Y",
            "torch:dX",
            "torch:dW",
        ]
        for ax in panels:
            rows, cols = ax.get_images()[0].get_array().shape
            assert list(ax.get_xticks()) == integer_ticks(cols)
            labels = [t.get_text() for t in ax.get_xticklabels()]
            assert labels == [str(i) for i in integer_ticks(cols)]
            if ax.get_ylabel():
                assert list(ax.get_yticks()) == integer_ticks(rows)
        dW = next(ax for ax in panels if ax.get_title().startswith("torch:dW"))
        assert "kernel tap" in dW.get_xlabel() and "kernel tap" in dW.get_ylabel()
    finally:
        plt.close(fig)
