"""The case grid: pair coverage, constraints, stable ids, deterministic data."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pytest

from gradgate.cases.blocks import BLOCK_SIZES, BLOCKED_AXES, just_past
from gradgate.cases.case import Case, parse_case_id
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
from gradgate.cases.deconv2d.grid import (
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
from gradgate.cases.deconv2d.realistic import REALISTIC_DEFAULT, REALISTIC_FULL
from gradgate.cases.kinds import LAYER_KINDS, layer_kind
from gradgate.harness.data import case_data
from tests.commands import ROOT
from tests.kinds.factor_rows import rows_of


@pytest.mark.slow
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


@pytest.mark.slow
def test_infeasible_pairs_are_really_infeasible() -> None:
    """Pairs left out are those no valid configuration holds, checked by exhaustive search."""
    feasible = set(feasible_pairs(FACTORS, violates))
    dropped = [p for p in all_pairs(FACTORS) if p not in feasible]
    assert dropped, "the constraints should exclude some pairs (e.g. depthwise with in_ch=1)"
    assert ("in_ch", 1, "groups", "depthwise") in dropped
    for f1, v1, f2, v2 in dropped:
        assert not completable({f1: v1, f2: v2}, FACTORS, violates)


@pytest.mark.slow
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


def test_grid_sizes_and_edge_cases() -> None:
    smoke, default = grid_cases("smoke"), grid_cases("default")
    assert 25 <= len(smoke) <= 35
    default_ids = {c.id for c in default}
    for _, edge in EDGE_CASES:
        assert edge.id in default_ids and edge.with_dtype("float32").id in default_ids
    assert len(grid_cases("full")) > 1000
    assert {c.dtype for c in grid_cases("default", ("float32",))} == {"float32"}


def test_edge_cases_exercise_what_they_claim() -> None:
    named = dict(EDGE_CASES)
    assert named["1x1 input"].x_shape[1:3] == (1, 1)
    big = named["kernel larger than the input"]
    assert big.kh > big.in_h and big.kw > big.in_w
    gaps = named["stride larger than the dilated kernel: gaps"]
    assert gaps.stride[0] > gaps.dilation[0] * (gaps.kh - 1) + 1
    assert named["padding crops to one row"].y_shape[1] == 1
    maxed = named["output padding at its maximum"]
    assert all(
        op == max(s, d) - 1 for op, s, d in zip(maxed.output_padding, maxed.stride, maxed.dilation)
    )
    odd = named["non-square everything"]
    assert odd.in_h != odd.in_w and odd.kh != odd.kw and odd.stride[0] != odd.stride[1]
    assert odd.padding[0] != odd.padding[1] and odd.dilation[0] != odd.dilation[1]


@pytest.mark.parametrize("grid", GRIDS[:2])
def test_ids_are_unique_and_parse_back(grid: str) -> None:
    cases = grid_cases(grid)
    assert len({c.id for c in cases}) == len(cases)
    for case in cases:
        assert parse_case_id(case.id) == case


def test_bad_ids_and_grids_say_what_is_wrong() -> None:
    with pytest.raises(ValueError, match="does not read as"):
        parse_case_id("n2-c4x6")
    with pytest.raises(ValueError, match="padding crops the output"):
        parse_case_id("n1-c1x1-g1-i1x1-k1x1-s1x1-p1.0.0.0-d1x1-op0x0-b1-relu-f64")
    with pytest.raises(ValueError, match="grid must be one of smoke, default, full"):
        grid_cases("huge")


def fingerprint() -> str:
    """A digest of the default grid's ids and their arrays at seed 3."""
    digest = hashlib.sha256()
    for case in grid_cases("default"):
        data = case_data(case, 3)
        digest.update(case.id.encode())
        for array in (data.X, data.W, data.dY, data.uX):
            digest.update(array.tobytes())
    return digest.hexdigest()


def test_ids_and_data_are_the_same_in_every_process() -> None:
    """Fresh interpreters with different hash seeds collect the same ids and arrays."""
    script = "from tests.kinds.deconv2d.test_grid import fingerprint; print(fingerprint())"
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


def test_data_depends_on_seed_and_case() -> None:
    a, b = grid_cases("smoke")[:2]
    assert not (case_data(a, 0).W == case_data(a, 1).W).all()
    assert case_data(a, 0).X.dtype.name == a.dtype
    assert case_data(b, 0).b is None or case_data(b, 0).b.shape == (b.out_ch,)


def test_the_coverage_check_notices_a_missing_row() -> None:
    rows = pairwise_rows(FACTORS, violates, COMPONENTS)
    needed = set(feasible_pairs(FACTORS, violates, COMPONENTS))
    covered_without_last = {p for row in rows[:-1] for p in pairs_of(row, FACTORS)}
    assert needed - covered_without_last  # every row carries a pair no other row has
    assert not needed - {p for row in rows for p in pairs_of(row, FACTORS)}


@pytest.mark.parametrize("layer", LAYER_KINDS)
def test_committed_shard_durations_cover_every_grid_case(layer: str) -> None:
    """pytest-split balances shards by these: a grid change must refresh them (see docs/)."""
    import json

    durations = json.loads((ROOT / "gradgate" / "harness" / "durations.json").read_text())
    full = layer_kind(layer).grid_cases("full", ("float64", "float32"))
    missing = [c.id for c in full if f"gate_suite.py::test_case[{c.id}]" not in durations]
    assert not missing, f"{len(missing)} cases have no duration, e.g. {missing[:2]}"


def _core_row(case: Case) -> dict | None:
    """A case's levels of the core factors and dtype, None when both axes do not agree."""
    s, d, op, p = case.stride, case.dilation, case.output_padding, case.padding
    if s[0] != s[1] or d[0] != d[1] or op[0] != op[1]:
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
        "output_padding": op[0],
        "groups": groups,
        "bias": case.bias,
        "activation": case.activation,
        "dtype": case.dtype,
    }


def test_full_grid_covers_every_feasible_triple_of_core_levels_with_dtype() -> None:
    factors = (*CORE_FACTORS, ("dtype", ("float64", "float32")))
    needed = set(feasible_interactions(factors, core_violates, 3))
    assert ("stride", 3) in {t[0] for t in needed}
    covered: set = set()
    for case in grid_cases("full"):
        row = _core_row(case)
        if row is not None and all(row[name] in levels for name, levels in factors):
            covered.update(interactions_of(row, factors, 3))
    missing = needed - covered
    assert not missing, f"{len(missing)} triples missing, e.g. {sorted(missing, key=str)[:3]}"
    infeasible = (("stride", 1), ("dilation", 1), ("output_padding", 2))
    assert infeasible in all_interactions(factors, 3) and infeasible not in needed


def test_default_grid_is_pairwise_not_triple_covering() -> None:
    """`default` stays pairwise: some core triples are left to `full`."""
    factors = (*CORE_FACTORS, ("dtype", ("float64", "float32")))
    needed = set(feasible_interactions(factors, core_violates, 3))
    covered: set = set()
    for case in grid_cases("default"):
        row = _core_row(case)
        if row is not None:
            covered.update(interactions_of(row, factors, 3))
    assert needed - covered


def test_just_past_means_a_short_remainder_block() -> None:
    assert [v for v in range(1, 40) if just_past(v, 4)] == [5, 9, 13, 17, 21, 25, 29, 33, 37]
    assert [v for v in range(1, 40) if just_past(v, 8)] == [9, 10, 17, 18, 25, 26, 33, 34]
    assert [v for v in range(1, 40) if just_past(v, 16)] == [17, 18, 19, 20, 33, 34, 35, 36]
    assert not just_past(16, 16) and not just_past(4, 8)


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
    assert all(c.id in full_ids for _, c in named)
    assert max(c.in_ch for _, c in named) >= 256 and max(c.out_ch for _, c in named) >= 128
    kinds = {(c.kh, c.stride[0], c.groups == c.in_ch > 1, c.dilation[0] > 1) for _, c in named}
    for kind in ((4, 2, False, False), (2, 2, False, False), (9, 3, False, False)):
        assert kind in kinds
    assert any(depthwise for _, _, depthwise, _ in kinds)
    assert any(dilated for _, _, _, dilated in kinds)
