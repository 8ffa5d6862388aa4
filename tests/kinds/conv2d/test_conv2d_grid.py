"""Conv2D's grids (gradgate/cases/conv2d/grid.py): coverage, constraints, stable ids, fuzz draws.

The proofs tests/kinds/deconv2d/test_grid.py makes for Deconv2D, made for Conv2D.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pytest
from hypothesis import given

from gradgate.cases.blocks import BLOCK_SIZES, BLOCKED_AXES, just_past
from gradgate.cases.case import Case, parse_case_id
from gradgate.cases.conv2d import reach_of_inputs
from gradgate.cases.conv2d.fuzz import valid_cases
from gradgate.cases.conv2d.grid import (
    COMPONENTS,
    CORE_FACTORS,
    EDGE_CASES,
    FACTORS,
    GRIDS,
    core_violates,
    grid_cases,
    pairwise_configs,
    violates,
)
from gradgate.cases.conv2d.realistic import REALISTIC_DEFAULT, REALISTIC_FULL
from gradgate.cases.covering import (
    all_interactions,
    all_pairs,
    completable,
    feasible_interactions,
    feasible_pairs,
    interactions_of,
    pairs_of,
    pairwise_rows,
)
from gradgate.cases.kinds import layer_kind
from gradgate.harness.data import case_data
from tests.commands import ROOT
from tests.hypothesis_settings import derandomized
from tests.kinds.factor_rows import rows_of

DTYPE_FACTOR = ("dtype", ("float64", "float32"))


def test_every_grid_case_is_a_conv2d_case_and_the_kind_serves_these_grids() -> None:
    for grid in GRIDS:
        cases = grid_cases(grid)
        assert {c.layer for c in cases} == {"conv2d"}
        assert all(c.output_padding == (0, 0) for c in cases)
        assert [c.id for c in layer_kind("conv2d").grid_cases(grid, ("float32",))] == [
            c.id for c in grid_cases(grid, ("float32",))
        ]


def test_default_grid_covers_every_feasible_pair_in_each_dtype() -> None:
    needed = set(feasible_pairs(FACTORS, violates))  # full search, without the components
    for dtype in ("float64", "float32"):
        covered: set = set()
        for case in grid_cases("default", (dtype,)):
            for row in rows_of(case):
                if all(row[name] in levels for name, levels in FACTORS):
                    covered.update(pairs_of(row, FACTORS))
        missing = needed - covered
        assert not missing, f"{len(missing)} pairs missing in {dtype}, e.g. {sorted(missing)[:3]}"


def test_infeasible_pairs_are_really_infeasible() -> None:
    """Pairs left out are those no valid configuration holds, checked by exhaustive search."""
    feasible = set(feasible_pairs(FACTORS, violates))
    dropped = [p for p in all_pairs(FACTORS) if p not in feasible]
    for expected in (
        ("in_ch", 1, "groups", "depthwise"),
        ("in_ch", 3, "groups", "2"),
        ("out_ch", 1, "groups", "2"),
    ):
        assert expected in dropped
    for f1, v1, f2, v2 in dropped:
        assert not completable({f1: v1, f2: v2}, FACTORS, violates)
    # Geometry alone never rules a pair out: some size or padding always makes the kernel fit.
    geometry = {name for group in COMPONENTS[1:] for name in group}
    assert not [p for p in dropped if p[0] in geometry or p[2] in geometry]


def test_the_constraint_is_the_dilated_kernel_fitting_the_padded_input() -> None:
    row = {"in_h": 1, "kh": 3, "dilation_h": 3, "pad_h": (3, 3)}  # 1 + 6 = 7 = 3 * 2 + 1
    assert not violates(row)
    assert violates({**row, "pad_h": (3, 2)})
    assert violates({"in_ch": 4, "out_ch": 6, "groups": "depthwise"})
    assert not violates({"in_ch": 3, "out_ch": 6, "groups": "depthwise"})


def test_searching_by_components_finds_the_same_feasible_pairs() -> None:
    """The grid searches each group of interacting factors alone: that must change nothing."""
    assert feasible_pairs(FACTORS, violates, COMPONENTS) == feasible_pairs(FACTORS, violates)
    constrained = {name for group in COMPONENTS for name in group}
    assert {name for name, _ in FACTORS} - constrained == {"activation", "batch", "bias"}


def test_every_pairwise_row_is_valid_and_constructible() -> None:
    configs = pairwise_configs()
    assert 25 <= len(configs) <= 80
    for case in configs:  # Case() validates the geometry and raises otherwise
        assert case.y_shape[1] >= 1 and case.y_shape[2] >= 1


def test_the_coverage_check_notices_a_missing_row() -> None:
    rows = pairwise_rows(FACTORS, violates, COMPONENTS)
    needed = set(feasible_pairs(FACTORS, violates, COMPONENTS))
    covered_without_last = {p for row in rows[:-1] for p in pairs_of(row, FACTORS)}
    assert needed - covered_without_last  # every row carries a pair no other row has
    assert not needed - {p for row in rows for p in pairs_of(row, FACTORS)}


def test_grid_sizes_and_edge_cases() -> None:
    smoke, default, full = grid_cases("smoke"), grid_cases("default"), grid_cases("full")
    assert len(smoke) == 2 * (len(EDGE_CASES) + 7)
    assert 25 <= len(smoke) <= 40 and len(smoke) < len(default) < len(full)
    default_ids = {c.id for c in default}
    for _, edge in EDGE_CASES:
        assert edge.id in default_ids and edge.with_dtype("float32").id in default_ids
    assert len(full) > 1000
    assert {c.dtype for c in grid_cases("default", ("float32",))} == {"float32"}


def _unread(n_in: int, k: int, s: int, d: int, before: int, n_out: int) -> list[int]:
    """The input indices on one axis that no output window reads."""
    return [i for i, outs in enumerate(reach_of_inputs(n_in, k, s, d, before, n_out)) if not outs]


def _axes(case: Case) -> list[tuple[int, int, int, int, int, int, int]]:
    """Per axis: (input size, kernel, stride, dilation, before, after, output size)."""
    _, out_h, out_w, _ = case.y_shape
    p = case.padding
    return [
        (case.in_h, case.kh, case.stride[0], case.dilation[0], p[0], p[1], out_h),
        (case.in_w, case.kw, case.stride[1], case.dilation[1], p[2], p[3], out_w),
    ]


def _outputs_on_padding_only(n: int, k: int, s: int, d: int, before: int, n_out: int) -> list:
    return [o for o in range(n_out) if all(not 0 <= o * s + a * d - before < n for a in range(k))]


def test_edge_cases_exercise_what_they_claim() -> None:
    named = dict(EDGE_CASES)
    assert len(named) == len(EDGE_CASES)
    assert named["1x1 input"].x_shape[1:3] == (1, 1)
    big = named["kernel larger than the input"]
    assert big.kh > big.in_h and big.kw > big.in_w
    for n, k, s, d, before, _, n_out in _axes(
        named["stride larger than the kernel: input rows and cols no window reads"]
    ):
        assert s > d * (k - 1) + 1
        assert any(i < n - 1 for i in _unread(n, k, s, d, before, n_out))
    for n, k, s, d, before, after, n_out in _axes(
        named["last stride window partial: trailing input rows and cols unread"]
    ):
        assert (n + before + after - d * (k - 1) - 1) % s and s <= d * (k - 1) + 1
        assert _unread(n, k, s, d, before, n_out) == [n - 1]
    beyond = named["padding beyond the kernel's reach: outputs whose every tap is on padding"]
    for n, k, s, d, before, after, n_out in _axes(beyond):
        assert max(before, after) > d * (k - 1)
        assert _outputs_on_padding_only(n, k, s, d, before, n_out)
    same = named["TensorFlow 'same' for an even kernel: asymmetric padding keeps the size"]
    assert same.kh % 2 == 0 and same.padding[0] != same.padding[1]
    assert same.y_shape[1:3] == same.x_shape[1:3]
    spans = named["dilated kernel spans the whole padded input"]
    assert all(n + b + a == d * (k - 1) + 1 and d > 1 for n, k, _, d, b, a, _ in _axes(spans))
    assert spans.y_shape[1:3] == (1, 1)
    odd = named["non-square everything"]
    assert odd.in_h != odd.in_w and odd.kh != odd.kw and odd.stride[0] != odd.stride[1]
    assert odd.padding[0] != odd.padding[1] and odd.dilation[0] != odd.dilation[1]
    depthwise = named["depthwise, channel multiplier 2"]
    assert depthwise.groups == depthwise.in_ch and depthwise.out_ch == 2 * depthwise.in_ch
    assert named["one output channel"].out_ch == 1


@pytest.mark.parametrize("grid", GRIDS)
def test_ids_are_unique_and_parse_back(grid: str) -> None:
    cases = grid_cases(grid)
    assert len({c.id for c in cases}) == len(cases)
    for case in cases:
        assert case.id.startswith("conv2d-") and "-op" not in case.id
        assert parse_case_id(case.id) == case


def test_bad_grids_and_dtypes_say_what_is_wrong() -> None:
    with pytest.raises(ValueError, match="grid must be one of smoke, default, full"):
        grid_cases("huge")
    with pytest.raises(ValueError, match="dtype must be one of"):
        grid_cases("smoke", ("float8",))
    with pytest.raises(ValueError, match="dilated kernel"):
        parse_case_id("conv2d-n1-c1x1-g1-i2x2-k3x3-s1x1-p0.0.0.0-d1x1-b1-relu-f64")


def fingerprint() -> str:
    """A digest of every grid's ids and of the default grid's arrays at seed 3."""
    digest = hashlib.sha256()
    for grid in GRIDS:
        for case in grid_cases(grid):
            digest.update(case.id.encode())
    for case in grid_cases("default"):
        data = case_data(case, 3)
        for array in (data.X, data.W, data.dY, data.uX):
            digest.update(array.tobytes())
    return digest.hexdigest()


def test_grids_and_data_are_the_same_in_every_process() -> None:
    """Fresh interpreters with different hash seeds list the same ids and arrays."""
    script = "from tests.kinds.conv2d.test_conv2d_grid import fingerprint; print(fingerprint())"
    digests = {
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            env={"PYTHONHASHSEED": hash_seed, "PATH": ""},
        ).stdout.strip()
        for hash_seed in ("0", "12345")
    }
    assert digests == {fingerprint()}


_KERNELS = {(1, 1): "1x1", (3, 2): "3x2", (2, 3): "2x3"}


def _core_row(case: Case) -> dict | None:
    """A case's levels of the core factors and dtype, None when it has no such levels."""
    s, d, p = case.stride, case.dilation, case.padding
    if s[0] != s[1] or d[0] != d[1] or (case.kh, case.kw) not in _KERNELS:
        return None
    if p == (0, 0, 0, 0):
        padding = "none"
    elif p[0] == p[1] and p[2] == p[3]:
        padding = "symmetric"
    elif p[0] != p[1] and p[2] != p[3]:
        padding = "asymmetric"
    else:
        return None
    groups = "1" if case.groups == 1 else "depthwise" if case.groups == case.in_ch else "2"
    if groups == "2" and case.groups != 2:
        return None
    return {
        "stride": s[0],
        "padding": padding,
        "dilation": d[0],
        "kernel": _KERNELS[(case.kh, case.kw)],
        "groups": groups,
        "bias": case.bias,
        "activation": case.activation,
        "dtype": case.dtype,
    }


def _core_triples(cases: list[Case]) -> set:
    factors = (*CORE_FACTORS, DTYPE_FACTOR)
    covered: set = set()
    for case in cases:
        row = _core_row(case)
        if row is not None and all(row[name] in levels for name, levels in factors):
            covered.update(interactions_of(row, factors, 3))
    return covered


def test_full_grid_covers_every_feasible_triple_of_core_levels_with_dtype() -> None:
    factors = (*CORE_FACTORS, DTYPE_FACTOR)
    needed = set(feasible_interactions(factors, core_violates, 3))
    assert needed == set(all_interactions(factors, 3))  # no core combination is invalid
    assert (("stride", 3), ("dilation", 3), ("kernel", "3x2")) in needed
    missing = needed - _core_triples(grid_cases("full"))
    assert not missing, f"{len(missing)} triples missing, e.g. {sorted(missing, key=str)[:3]}"


def test_default_grid_is_pairwise_not_triple_covering() -> None:
    """`default` stays pairwise: some core triples are left to `full`."""
    needed = set(feasible_interactions((*CORE_FACTORS, DTYPE_FACTOR), core_violates, 3))
    assert needed - _core_triples(grid_cases("default"))


def test_default_realistic_cases_cross_every_block_size_on_every_axis() -> None:
    default_ids = {c.id for c in grid_cases("default")}
    realistic = [c for _, c in REALISTIC_DEFAULT]
    assert all(c.id in default_ids and c.with_dtype("float32").id in default_ids for c in realistic)
    for axis in BLOCKED_AXES:
        values = sorted({getattr(c, axis) for c in realistic})
        for block in BLOCK_SIZES:
            assert any(just_past(v, block) for v in values), (axis, block, values)
        assert any(v & (v - 1) for v in values), f"{axis}: only powers of two in {values}"


def test_realistic_cases_are_named_distinct_and_in_full() -> None:
    full_ids = {c.id for c in grid_cases("full")}
    named = REALISTIC_DEFAULT + REALISTIC_FULL
    assert len({name for name, _ in named}) == len({c.id for _, c in named}) == len(named)
    assert all(c.id in full_ids and c.with_dtype("float32").id in full_ids for _, c in named)
    assert max(c.in_ch for _, c in named) >= 256 and max(c.out_ch for _, c in named) >= 128
    cases = [c for _, c in named]
    kinds = {(c.kh, c.kw, c.stride, c.padding) for c in cases}
    assert (7, 7, (2, 2), (3, 3, 3, 3)) in kinds  # ResNet stem
    assert (3, 3, (1, 1), (1, 1, 1, 1)) in kinds  # ResNet / VGG 3x3
    assert (1, 1, (2, 2), (0, 0, 0, 0)) in kinds  # projection shortcut
    assert any(c.groups == c.in_ch > 1 and c.stride == (2, 2) for c in cases)  # depthwise s2
    assert any(1 < c.groups < c.in_ch for c in cases)  # grouped (ResNeXt)
    assert any(c.dilation == (2, 2) and c.padding == (2, 2, 2, 2) for c in cases)  # DeepLab
    assert any(c.kh % 2 == 0 and c.padding[0] != c.padding[1] for c in cases)  # TF 'same'
    reductions = [c.kh * c.kw * c.in_ch // c.groups for _, c in REALISTIC_DEFAULT]
    assert max(reductions) > 256  # long reductions, where accumulation shortcuts show


FUZZ = derandomized(200)


@FUZZ
@given(valid_cases())
def test_fuzz_draws_only_valid_conv2d_cases(case: Case) -> None:
    assert case.layer == "conv2d" and case.output_padding == (0, 0)
    assert parse_case_id(case.id) == case  # Case() itself rejects invalid geometry
    assert case.in_ch % case.groups == 0 and case.out_ch % case.groups == 0
    for n, k, _, d, before, after, n_out in _axes(case):
        assert n + before + after >= d * (k - 1) + 1 and n_out >= 1


def test_fuzz_reaches_the_corners_of_the_geometry() -> None:
    """Padding beyond the reach, kernels larger than the input, strides past the kernel."""
    seen: dict[str, bool] = {"beyond": False, "kernel > input": False, "stride > kernel": False}

    @FUZZ
    @given(layer_kind("conv2d").fuzz_cases(("float64",)))  # what `gradgate fuzz` draws from
    def draw(case: Case) -> None:
        for n, k, s, d, before, _, n_out in _axes(case):
            seen["beyond"] |= bool(_outputs_on_padding_only(n, k, s, d, before, n_out))
            seen["kernel > input"] |= k > n
            seen["stride > kernel"] |= s > d * (k - 1) + 1
        assert case.dtype == "float64"

    draw()
    assert all(seen.values()), seen
