"""Non-contiguous inputs: the layouts hold the same values, rotate over the grid, and catch
implementations that read memory instead of values or write into their inputs."""

from __future__ import annotations

import numpy as np
import pytest

import gradgate.reference_impl as ref
from gradgate.cases.case import parse_case_id
from gradgate.cases.deconv2d.grid import grid_cases
from gradgate.harness.data import case_data
from gradgate.harness.engine import run_case
from gradgate.harness.layouts import ARRAYS, LAYOUTS, in_layout, layouts_for
from gradgate.harness.loading import Implementation, load_implementation

CASE = parse_case_id("n2-c4x6-g2-i5x7-k3x2-s2x1-p1.0.1.2-d1x2-op1x0-b1-relu-f64")


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("shape", [(2, 3, 4, 5), (7,)])
def test_every_layout_holds_the_same_values(layout: str, shape: tuple[int, ...]) -> None:
    arr = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    out = in_layout(arr, layout)
    assert out.dtype == arr.dtype and out.shape == arr.shape
    np.testing.assert_array_equal(out, arr)
    assert not np.shares_memory(out, arr)
    if layout == "fortran":
        assert out.flags.f_contiguous and (len(shape) == 1 or not out.flags.c_contiguous)
    if layout == "gapped":
        assert not out.flags.c_contiguous and np.isnan(out.base).sum() == out.base.size - out.size
    if layout == "reversed":
        assert all(s < 0 for s in out.strides)
    if layout == "read-only":
        assert not out.flags.writeable


def test_unknown_layout_says_which_are_allowed() -> None:
    with pytest.raises(ValueError, match="layout must be one of fortran, gapped"):
        in_layout(np.zeros(3), "sideways")


def test_each_case_gives_its_arrays_different_layouts_and_the_grid_meets_them_all() -> None:
    met = set()
    for case in grid_cases("default"):
        chosen = layouts_for(case.id)
        assert sorted(chosen.values()) == sorted(LAYOUTS)
        met.update((name, layout) for name, layout in chosen.items() if name != "b" or case.bias)
    assert met == {(name, layout) for name in ARRAYS for layout in LAYOUTS}
    assert layouts_for(CASE.id) == layouts_for(CASE.id)


@pytest.mark.parametrize("seed", [0, 1])
def test_the_reference_agrees_with_itself_on_every_layout(seed: int) -> None:
    impl = load_implementation()
    for case in grid_cases("smoke"):
        result = run_case(impl, case, oracles=(), seed=seed)
        layout = {k: c for k, c in result.checks.items() if k.startswith("layout:")}
        assert set(layout) == {f"layout:{q}" for q in ("Y", "dX", "dW", "db")[: 3 + case.bias]}
        assert result.status == "passed", result.message


def test_reading_memory_as_c_order_fails_a_layout_check_that_names_the_layout() -> None:
    impl = load_implementation("tests.kinds.deconv2d.realistic_bugs:im2col_assumes_c_order")
    results = [run_case(impl, c, oracles=()) for c in grid_cases("smoke")]
    failed = [r for r in results if r.status == "failed"]
    assert failed and all(r.status in ("passed", "failed") for r in results)
    for r in failed:
        assert all(k.startswith("layout:") for k, c in r.checks.items() if not c.passed)
        chosen = layouts_for(r.id)["X"]
        assert chosen in ("fortran", "reversed")  # K order of a gapped view is still C order
        assert "X Fortran-ordered" in r.message or "X a reversed view" in r.message
    for r, case in zip(results, grid_cases("smoke")):
        if r.status == "passed":  # only where the memory happens to read the same in C order
            X = case_data(case, 0).X
            assert np.array_equal(in_layout(X, layouts_for(r.id)["X"]).ravel(order="K"), X.ravel())


def _writes_into(name: str) -> Implementation:
    def backward(dY, X, W, b, cfg):  # type: ignore[no-untyped-def]
        out = ref.backward(dY, X, W, b, cfg)
        {"X": X, "W": W, "dY": dY}[name][...] *= 1.0  # same values, but a write
        return out

    return Implementation("writer", ref.forward, backward)


@pytest.mark.parametrize("name", ["X", "W", "dY"])
def test_writing_into_a_read_only_input_is_a_clear_failure(name: str) -> None:
    case = next(c for c in grid_cases("default") if layouts_for(c.id)[name] == "read-only")
    result = run_case(_writes_into(name), case, oracles=())
    assert result.status == "failed", result.message
    assert f"layout:inputs: wrote into its read-only input {name}" in result.message
    assert "Traceback" not in result.message


def test_reading_the_gaps_of_a_strided_view_is_caught() -> None:
    """An implementation that reads W's memory past the view sees the NaN gaps."""

    def forward(X, W, b, cfg):  # type: ignore[no-untyped-def]
        raw = np.lib.stride_tricks.as_strided(
            W, W.shape, tuple(W.itemsize * s for s in np.cumprod((1, *W.shape[:0:-1]))[::-1])
        )
        return ref.forward(X, np.array(raw), b, cfg)

    case = next(c for c in grid_cases("default") if layouts_for(c.id)["W"] == "gapped")
    result = run_case(Implementation("gaps", forward, ref.backward), case, oracles=())
    assert result.status == "failed"
    assert "layout:outputs: with" in result.message and "non-finite" in result.message
    assert "W a strided view with gaps" in result.message
