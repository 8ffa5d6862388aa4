"""The oracles catch bugs and stay quiet on correct implementations.

The bank in tests/kinds/deconv2d/bugged_impls.py covers every factor of the grid and every output;
each bug
must fail the default grid, and each backward-only bug must fail with `fd` alone and with
`adjoint` alone.  The reference and a torch-backed implementation pass with no false failure.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import numpy as np
import pytest

import gradgate.reference_impl as ref
from gradgate.cases.case import Case, parse_case_id
from gradgate.cases.deconv2d.grid import FACTORS, grid_cases
from gradgate.cases.deconv2d.realistic import REALISTIC_DEFAULT
from gradgate.harness.bounds import UNIT_ROUNDOFF, all_bounds, magnitudes
from gradgate.harness.comparison import compare
from gradgate.harness.data import CaseData, case_data
from gradgate.harness.engine import run_case
from gradgate.harness.loading import Implementation, load_implementation
from gradgate.harness.oracles.finite_differences import (
    PROJECTIONS,
    FDEstimate,
    fd_gradients,
    forward_calls,
    uses_projections,
    with_projections,
)
from gradgate.harness.result import CaseResult
from tests.kinds.deconv2d.bugged_impls import BUGS
from tests.oracles.verdicts import caught, caught_cases, first_caught, unreached_taps_not_mirrored

DEFAULT = grid_cases("default")
GRID_FACTORS = {
    "batch",
    "in_ch",
    "out_ch",
    "groups",
    "in_h",
    "in_w",
    "kh",
    "kw",
    "stride",
    "padding",
    "dilation",
    "output_padding",
    "bias",
    "activation",
    "dtype",
}


def _first_failure(
    impl: Implementation, oracles: tuple[str, ...], by: tuple[str, ...] | None = None
) -> CaseResult | None:
    """The first `default` case failing a check `by` names (see tests/oracles/verdicts.py)."""
    return first_caught(impl, DEFAULT, oracles, by=by)


def test_bank_covers_every_factor_and_output() -> None:
    assert {b.factor for b in BUGS.values()} == GRID_FACTORS
    assert {q for b in BUGS.values() for q in b.outputs} == {"Y", "dX", "dW", "db"}
    as_bug_factor = {
        "pad_h": "padding",
        "pad_w": "padding",
        "stride_h": "stride",
        "stride_w": "stride",
        "dilation_h": "dilation",
        "dilation_w": "dilation",
        "output_padding_h": "output_padding",
        "output_padding_w": "output_padding",
    }
    assert {as_bug_factor.get(name, name) for name, _ in FACTORS} | {"dtype"} == GRID_FACTORS


@pytest.mark.parametrize("name", list(BUGS))
def test_every_bug_fails_the_default_grid(name: str) -> None:
    bug = BUGS[name]
    failure = _first_failure(
        load_implementation(f"tests.kinds.deconv2d.bugged_impls:{name}"), ("torch", "fd", "adjoint")
    )
    assert failure is not None, f"{name} passed the whole default grid"
    assert failure.status == "failed"
    failing = caught(failure)
    assert any(k.split(":")[-1] in bug.outputs for k in failing), (failing, bug.outputs)
    assert f"--case {failure.id}" in failure.message


@pytest.mark.parametrize("oracle", ["fd", "adjoint"])
@pytest.mark.parametrize("name", [n for n, b in BUGS.items() if b.backward_only])
def test_backward_only_bugs_fail_with_one_self_consistency_oracle(name: str, oracle: str) -> None:
    impl = load_implementation(f"tests.kinds.deconv2d.bugged_impls:{name}")
    failure = _first_failure(impl, (oracle,), (f"{oracle}:",))
    assert failure is not None, f"{name} passed the default grid with {oracle} alone"
    assert all(
        k.startswith((oracle, "contract", "repeat", "layout", "reach")) for k in failure.checks
    )


def test_a_self_consistent_forward_semantics_bug_passes_the_adjoint_test() -> None:
    """A flipped kernel with a matching backward: the adjoint test holds on every case, torch
    fails it, fd (which attributes outputs by the configured geometry) says so, and `reach:dW`
    fails exactly where a tap that reaches no output (its dW must be exactly 0) is the mirror of one
    that does."""
    impl = load_implementation("tests.kinds.deconv2d.bugged_impls:flipped_kernel")
    results = caught_cases(impl, DEFAULT, ("adjoint",))
    assert all(caught(r) == ["reach:dW"] for r in results)
    mirrored = {c.id: c.activation for c in DEFAULT if unreached_taps_not_mirrored(c)}
    assert {r.id for r in results} <= set(mirrored)  # relu may zero the mirror's gradient
    assert {i for i, act in mirrored.items() if act != "relu"} <= {r.id for r in results}
    assert _first_failure(impl, ("torch",), ("torch:",)) is not None
    failure = _first_failure(impl, ("fd", "adjoint"), ("fd:",))
    assert failure is not None and "backward is consistent with the forward" in failure.message


@pytest.mark.slow
@pytest.mark.parametrize(
    ("spec", "seed"),
    [
        ("reference_impl", 0),
        ("reference_impl", 1),
        ("reference_impl", 2),
        ("tests.kinds.deconv2d.independent_impl", 0),
        ("tests.kinds.deconv2d.independent_impl", 1),
    ],
)
def test_correct_implementations_never_fail(spec: str, seed: int) -> None:
    """The whole default grid; the realistic tier once for the (slower) second implementation."""
    impl = load_implementation(spec)
    realistic = {c.with_dtype(dt).id for _, c in REALISTIC_DEFAULT for dt in ("float64", "float32")}
    skip = realistic if spec != "reference_impl" and seed > 0 else set()
    cases = [c for c in DEFAULT if c.id not in skip]
    bad = [r for r in (run_case(impl, c, seed=seed) for c in cases) if r.status != "passed"]
    assert not bad, [f"{r.id}: {r.message}" for r in bad[:3]]


def _perturbing(q: int, position: int, factor: float) -> Implementation:
    """The reference, with one element of dX (q=0), dW (1) or db (2) scaled by `factor`."""

    def backward(dY, X, W, b, cfg):  # type: ignore[no-untyped-def]
        grads = [None if g is None else g.copy() for g in ref.backward(dY, X, W, b, cfg)]
        flat = grads[q].reshape(-1)  # type: ignore[union-attr]
        flat[position % flat.size] *= factor
        return tuple(grads)

    return Implementation("perturbed", ref.forward, backward)


SENSITIVITY_CASES = [
    "n2-c2x4-g2-i4x5-k3x2-s2x1-p1.0.0.2-d1x2-op1x0-b1-tanh-f64",
    "n3-c3x3-g1-i3x3-k2x3-s3x2-p0.1.1.1-d2x1-op0x1-b1-sigmoid-f64",
    "n1-c4x2-g1-i5x2-k1x3-s1x3-p0.1.1.0-d3x1-op2x0-b1-identity-f64",
]


@pytest.mark.parametrize("case_id", SENSITIVITY_CASES)
@pytest.mark.parametrize("q", [0, 1, 2], ids=["dX", "dW", "db"])
@pytest.mark.parametrize("position", [0, 7, -1], ids=["first", "middle", "last"])
def test_a_relative_error_of_1e_6_anywhere_fails(case_id: str, q: int, position: int) -> None:
    case = parse_case_id(case_id)
    data = case_data(case, 0)
    exact = ref.backward(data.dY, data.X, data.W, data.b, case.cfg)[q]
    assert (
        exact is not None and exact.reshape(-1)[position % exact.size] != 0
    )  # else nothing to see
    result = run_case(_perturbing(q, position, 1 + 1e-6), case)
    name = f"torch:{('dX', 'dW', 'db')[q]}"
    assert result.status == "failed" and not result.checks[name].passed, result.message
    assert result.checks[name].n_off == 1


def test_float64_computed_in_float32_fails_and_float32_computed_in_float32_passes() -> None:
    impl = load_implementation("tests.kinds.deconv2d.bugged_impls:float32_inside")
    results = [run_case(impl, c, oracles=("torch",)) for c in DEFAULT]
    f64 = [r for r, c in zip(results, DEFAULT) if c.dtype == "float64"]
    f32 = [r for r, c in zip(results, DEFAULT) if c.dtype == "float32"]
    assert all(r.status == "failed" for r in f64), [r.id for r in f64 if r.status != "failed"]
    assert all(r.status == "passed" for r in f32)


def test_fd_forward_calls_depend_on_geometry_not_on_batch_or_image_size() -> None:
    base = parse_case_id("n1-c2x3-g1-i3x3-k3x2-s2x1-p1.1.0.0-d1x2-op1x0-b1-tanh-f64")
    big = parse_case_id("n4-c2x3-g1-i9x11-k3x2-s2x1-p1.1.0.0-d1x2-op1x0-b1-tanh-f64")
    assert forward_calls(base) == forward_calls(big)
    calls = {"n": 0}

    def counting(X, W, b):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        return ref.forward(X, W, b, big.cfg)

    data = case_data(big, 0)
    fd_gradients(counting, big, data, magnitudes(big, data), UNIT_ROUNDOFF["float64"])
    assert calls["n"] == forward_calls(big)
    per_element = 2 * (data.X.size + data.W.size + big.out_ch)  # gradcheck's slow mode
    assert per_element >= 10 * calls["n"]


def test_fd_localizes_a_single_element_error() -> None:
    case = parse_case_id("n2-c2x2-g1-i4x4-k3x3-s2x2-p1.1.1.1-d1x1-op1x1-b1-identity-f64")
    result = run_case(_perturbing(0, 37, 1.1), case, oracles=("fd",))
    check = result.checks["fd:dX"]
    assert not check.passed and check.n_off == 1
    expected = list(np.unravel_index(37, case.x_shape))
    assert check.worst_index == [int(i) for i in expected]
    assert "fd:dX: 1 of 64 off; worst at (n=" in result.message


def _relu_case_on_a_kink() -> tuple[Case, CaseData]:
    """A 1x1 kernel with W = 1 and X holding exact zeros: Z = 0 there, on relu's kink."""
    case = parse_case_id("n1-c1x1-g1-i3x3-k1x1-s1x1-p0.0.0.0-d1x1-op0x0-b0-relu-f64")
    data = case_data(case, 0)
    X = data.X.copy()
    X[0, 1, :, 0] = 0.0
    fields = {**data.__dict__, "X": X, "W": np.ones_like(data.W)}
    return case, CaseData(**fields)


def test_fd_excludes_entries_whose_difference_crosses_a_kink() -> None:
    case, data = _relu_case_on_a_kink()
    mag = magnitudes(case, data)
    est = fd_gradients(
        lambda X, W, b: ref.forward(X, W, b, case.cfg), case, data, mag, UNIT_ROUNDOFF["float64"]
    )["dX"]
    assert est.excluded[0, 1, :, 0].all() and est.excluded.sum() == 3
    dX = ref.backward(data.dY, data.X, data.W, None, case.cfg)[0]
    keep = ~est.excluded
    np.testing.assert_allclose(dX[keep], est.estimate[keep], rtol=1e-9)


def test_fd_allows_for_a_kink_crossing_too_shallow_to_see() -> None:
    """A float32 relu case with Z 3e-5 from the kink: the crossing at the retry step is below
    the second difference's detection threshold, and a correct layer must still pass."""
    case = parse_case_id("conv2d-n9-c33x33-g33-i17x17-k3x3-s2x2-p1.1.1.1-d1x1-b1-relu-f32")
    for spec in ("reference_impl.conv2d", "tests.kinds.conv2d.independent_conv2d"):
        result = run_case(load_implementation(spec, "conv2d"), case, oracles=("fd",))
        assert result.status == "passed", result.message
        assert result.checks["fd:dX"].error_ratio < 1


def test_adjoint_holds_to_machine_precision_for_linear_maps() -> None:
    case = parse_case_id("n2-c4x6-g2-i5x7-k3x2-s2x1-p1.0.1.2-d1x2-op1x0-b1-identity-f64")
    result = run_case(load_implementation(), case, oracles=("adjoint",))
    for q in ("dX", "dW", "db"):
        check = result.checks[f"adjoint:{q}"]
        assert check.passed and check.max_rel_err < 1e-13


def test_unsupported_cases_are_reported_not_failed() -> None:
    impl = Implementation(
        "scoped",
        ref.forward,
        ref.backward,
        supports=lambda cfg: "no groups" if cfg.groups > 1 else True,
    )
    grouped = parse_case_id("n1-c2x2-g2-i2x2-k2x2-s1x1-p0.0.0.0-d1x1-op0x0-b1-relu-f64")
    result = run_case(impl, grouped)
    assert result.status == "unsupported" and result.message == "no groups"
    assert run_case(impl, grouped.__class__(**{**grouped.__dict__, "groups": 1})).status == "passed"


def _faulty(forward: Callable | None = None, backward: Callable | None = None) -> Implementation:
    return Implementation("faulty", forward or ref.forward, backward or ref.backward)


@pytest.mark.parametrize(
    ("impl", "status", "text"),
    [
        (_faulty(backward=lambda *a: 1 / 0), "errored", "backward raised ZeroDivisionError"),
        (_faulty(forward=lambda X, W, b, cfg: None), "failed", "Y is NoneType, not a numpy array"),
        (_faulty(backward=lambda *a: None), "failed", "backward returned NoneType"),
        (
            _faulty(forward=lambda X, W, b, cfg: ref.forward(X, W, b, cfg)[:, 1:]),
            "failed",
            "Y has shape",
        ),
        (
            _faulty(
                backward=lambda dY, X, W, b, cfg: (lambda g: (g[0] * np.nan, g[1], g[2]))(
                    ref.backward(dY, X, W, b, cfg)
                )
            ),
            "failed",
            "dX has 48 non-finite value(s)",
        ),
        (
            _faulty(
                backward=lambda dY, X, W, b, cfg: (lambda g: (g[0].astype(np.float32), g[1], g[2]))(
                    ref.backward(dY, X, W, b, cfg)
                )
            ),
            "failed",
            "dX has dtype float32, expected float64",
        ),
    ],
    ids=["raises", "Y None", "grads None", "wrong shape", "nan", "wrong dtype"],
)
def test_faults_are_reported_on_the_case(impl: Implementation, status: str, text: str) -> None:
    case = parse_case_id("n2-c2x3-g1-i3x4-k2x2-s1x1-p0.0.0.0-d1x1-op0x0-b1-tanh-f64")
    result = run_case(impl, case)
    assert result.status == status and text in result.message, result.message


def test_modified_inputs_fail_the_contract() -> None:
    def backward(dY, X, W, b, cfg):  # type: ignore[no-untyped-def]
        out = ref.backward(dY, X, W, b, cfg)
        X += 1
        return out

    case = parse_case_id("n1-c1x1-g1-i2x2-k2x2-s1x1-p0.0.0.0-d1x1-op0x0-b0-identity-f64")
    result = run_case(_faulty(backward=backward), case)
    assert result.status == "failed" and "modified their inputs: X" in result.message


def test_nondeterministic_backward_fails_the_repeat_check() -> None:
    state = SimpleNamespace(calls=0)

    def backward(dY, X, W, b, cfg):  # type: ignore[no-untyped-def]
        state.calls += 1
        dX, dW, db = ref.backward(dY, X, W, b, cfg)
        return dX * (1 + 1e-9 * state.calls), dW, db

    case = parse_case_id("n1-c1x1-g1-i2x2-k2x2-s1x1-p0.0.0.0-d1x1-op0x0-b0-identity-f64")
    result = run_case(_faulty(backward=backward), case)
    assert not result.checks["repeat:dX"].passed


def test_a_timeout_errors_the_case_and_returns() -> None:
    import time

    case = parse_case_id("n1-c1x1-g1-i2x2-k2x2-s1x1-p0.0.0.0-d1x1-op0x0-b0-identity-f64")
    result = run_case(_faulty(forward=lambda *a: time.sleep(30)), case, timeout=0.5)
    assert result.status == "errored" and "timeout of 0.5 s" in result.message
    assert result.duration_s < 5


def test_fd_says_when_the_forward_reaches_outputs_its_geometry_cannot() -> None:
    impl = load_implementation("tests.kinds.deconv2d.bugged_impls:stride_swapped")
    case = parse_case_id("n2-c2x3-g1-i3x4-k2x2-s3x4-p0.0.0.0-d1x1-op2x1-b1-identity-f64")
    result = run_case(impl, case, oracles=("fd",))
    assert result.status == "failed"
    assert "the forward's geometry differs from the configuration" in result.message
    quiet = run_case(load_implementation(), case, oracles=("fd",))
    assert quiet.status == "passed" and "geometry" not in quiet.message


def _channels_case(channels: int) -> Case:
    """One geometry (k3 s2 p1 d1x2, tanh) at a given in-channel count."""
    return parse_case_id(
        f"n2-c{channels}x{max(channels // 4, 1)}-g1-i5x6-k3x3-s2x2-p1.1.1.1-d1x2-op1x0-b1-tanh-f64"
    )


def _count_fd_calls(case: Case, impl: Implementation) -> tuple[int, dict[str, FDEstimate]]:
    data = case_data(case, 0)
    calls = {"n": 0}

    def counting(X, W, b):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        return impl.forward(X, W, b, case.cfg)

    mag = magnitudes(case, data)
    u = UNIT_ROUNDOFF[case.dtype]
    claimed = dict(
        zip(("dX", "dW", "db"), impl.backward(data.dY, data.X, data.W, data.b, case.cfg))
    )
    bounds = all_bounds(case, data, mag, u)
    est = fd_gradients(counting, case, data, mag, u, claimed=claimed, bounds=bounds)
    return calls["n"], est


def test_fd_forward_calls_do_not_depend_on_channels() -> None:
    impl = load_implementation()
    counts = []
    for channels in (8, 64, 512):
        case = _channels_case(channels)
        assert uses_projections(case)
        n, est = _count_fd_calls(case, impl)
        assert n == forward_calls(case) == est["dX"].forward_calls
        assert est["dX"].projected == case_data(case, 0).X.size and est["dW"].projected
        counts.append(n)
    assert len(set(counts)) == 1
    assert forward_calls(_channels_case(512), projections=False) > 100 * counts[0]


@pytest.mark.parametrize("q", [0, 1], ids=["dX", "dW"])
@pytest.mark.parametrize("factor", [1.1, 1 + 1e-2])
def test_fd_projections_find_and_name_a_single_wrong_channel(q: int, factor: float) -> None:
    """One element among 65 channels off by 10% or by 1%: fd alone fails and names it."""
    case = parse_case_id("n3-c65x33-g1-i9x9-k3x3-s1x1-p2.2.2.2-d2x2-op0x0-b1-sigmoid-f64")
    data = case_data(case, 0)
    exact = ref.backward(data.dY, data.X, data.W, data.b, case.cfg)[q]
    assert exact is not None
    position = int(np.argmax(np.abs(exact)))
    result = run_case(_perturbing(q, position, factor), case, oracles=("fd",))
    check = result.checks[f"fd:{('dX', 'dW')[q]}"]
    assert not check.passed and check.n_off == 1, result.message
    assert check.worst_index == [int(i) for i in np.unravel_index(position, exact.shape)]


def test_fd_projections_stay_quiet_on_the_realistic_tier() -> None:
    """(Seeds 1 and 2, with every oracle: test_correct_implementations_never_fail.)"""
    impl = load_implementation()
    for _, case in REALISTIC_DEFAULT:
        for dtype in ("float64", "float32"):
            result = run_case(impl, case.with_dtype(dtype), oracles=("fd",))
            assert result.status == "passed", result.message
            if uses_projections(case):
                assert "random projections over channels" in result.checks["fd:dW"].note


def test_a_projection_failure_no_channel_explains_still_fails_the_check() -> None:
    got = np.ones((2, 3))
    est = FDEstimate(got.copy(), np.zeros_like(got), np.zeros_like(got, bool), projected=6)
    est.projection_failure = "a projection over channels is 3 times its bound"
    check = with_projections(compare("dW", got, est.estimate, np.full_like(got, 1e-9)), est)
    assert not check.passed and check.error_ratio > 1 and check.n_off == 1
    assert f"6 of 6 entries verified by {PROJECTIONS} random projections" in check.note
    assert "3 times its bound" in check.note
