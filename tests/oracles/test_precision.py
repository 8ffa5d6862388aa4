"""The precision model and its checks (gradgate/harness/precision.py): bits read as defined, the
threshold holds its false-alarm rate under the model, correct summation orders pass, and
layers that lose precision fail at every size, where the element-wise bounds cannot see it."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gradgate.cases.case import Case, parse_case_id
from gradgate.cases.kinds import layer_kind
from gradgate.harness.engine import run_case
from gradgate.harness.implementation import Implementation
from gradgate.harness.precision import _bits, threshold
from tests.oracles import precision_bank as bank


def _impl(layer: object, name: str) -> Implementation:
    return Implementation(name, layer.forward, layer.backward)  # type: ignore[attr-defined]


def _precision(result: object) -> dict[str, object]:
    return {
        name.split(":")[1]: check
        for name, check in result.checks.items()  # type: ignore[attr-defined]
        if name.startswith("precision:")
    }


def _sized(in_ch: int, layer: str = "deconv2d", batch: int = 4, size: int = 4) -> Case:
    """The issue's layer: stride 2, 4x4 kernel, batch 4, `in_ch` input channels, float32."""
    prefix = "" if layer == "deconv2d" else f"{layer}-"
    op = "-op0x0" if layer == "deconv2d" else ""
    return parse_case_id(
        f"{prefix}n{batch}-c{in_ch}x4-g1-i{size}x{size}-k4x4-s2x2-p1.1.1.1-d1x1{op}-b1-identity-f32"
    )


# --- bits --------------------------------------------------------------------------------


def test_a_correctly_rounded_result_reads_exactly_the_dtype_significand() -> None:
    exact = np.random.default_rng(0).normal(size=10_000)
    for dtype, p in (("float32", 24), ("float16", 11)):
        got = exact.astype(dtype).astype(np.float64)
        err = float(np.linalg.norm(got - exact))
        assert _bits(err, float(np.linalg.norm(exact)), p) == p
    assert _bits(0.0, 1.0, 24) == 24


def test_each_halving_of_accuracy_is_one_bit_lost() -> None:
    exact = np.ones(100)
    for lost in (1, 5, 13):
        got = exact * (1 + 2.0 ** -(24 - lost))
        bits = _bits(float(np.linalg.norm(got - exact)), float(np.linalg.norm(exact)), 24)
        assert bits == pytest.approx(24 - lost)


# --- the threshold -----------------------------------------------------------------------


def test_the_threshold_holds_its_tail_bound_on_simulated_rounding() -> None:
    """Hsu-Kakade-Zhang's bound at exp(-x) for x = ln(20): sums of roundings uniform on
    [-u, u] (the model, A1) exceed it in at most 5% of 4000 trials, at the worst (bounded,
    variance-u^2-proxy) case: errors +-c u with c the proxies' square roots."""
    from gradgate.harness import precision

    rng = np.random.default_rng(1)
    proxies = rng.uniform(0.1, 2.0, size=50)
    old = precision._X
    try:
        precision._X = math.log(20)
        limit = threshold(proxies)
    finally:
        precision._X = old
    trials = 4000
    signs = rng.choice([-1.0, 1.0], size=(trials, proxies.size))  # the extreme roundings
    sums = (signs**2 * proxies).sum(axis=1)  # = sum V exactly for +-sqrt(V) errors
    assert (sums > limit).mean() <= 0.05
    # a sum of 16 independent roundings per element (closer to Gaussian)
    d = rng.uniform(-1, 1, size=(trials, proxies.size, 16)) * np.sqrt(proxies / 16)[None, :, None]
    e2 = d.sum(axis=2) ** 2
    assert (e2.sum(axis=1) > limit).mean() <= 0.05
    assert threshold(np.array([])) == 0.0


def test_the_threshold_is_at_most_a_few_times_the_variance_for_many_elements() -> None:
    v = np.ones(10_000)
    assert threshold(v) / v.sum() < 1.1  # tight in aggregate
    assert threshold(np.ones(1)) / 1 > 20  # one element: the tail dominates


# --- correct layers pass ------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_the_bank_s_sequential_sum_is_the_plain_loop_bit_for_bit(dtype: type) -> None:
    """`sequential` vectorises the loop in blocks of terms: the same rounding at every step,
    across the blocks' seams too (700 x 3 outputs: blocks of 499 terms)."""
    rng = np.random.default_rng(0)
    A = rng.standard_normal((700, 1500)).astype(dtype)
    B = rng.standard_normal((1500, 3)).astype(dtype)
    acc = np.zeros((700, 3), dtype)
    for k in range(A.shape[1]):
        acc = acc + A[:, k : k + 1] * B[k : k + 1, :]
    got = bank.sequential(A, B)
    assert got.dtype == acc.dtype and np.array_equal(got, acc)


@pytest.mark.parametrize("layer", ["deconv2d", "conv2d"])
@pytest.mark.parametrize("order", sorted(bank.CORRECT))
def test_correct_summation_orders_pass_precision_on_the_smoke_grid(layer: str, order: str) -> None:
    impl = _impl(bank.correct_layer(layer, order), order)
    for case in layer_kind(layer).grid_cases("smoke", ["float32"]):
        result = run_case(impl, case, oracles=("torch",))
        assert result.status == "passed", (case.id, result.message)
        assert _precision(result), case.id


@pytest.mark.parametrize("in_ch", [16, 64, 256, 1024])
def test_correct_orders_pass_at_every_size(in_ch: int) -> None:
    case = _sized(in_ch)
    for order in ("sequential", "blocked", "rounded_once"):
        result = run_case(
            _impl(bank.correct_layer("deconv2d", order), order), case, oracles=("torch",)
        )
        assert result.status == "passed", (order, result.message)


# --- lost precision fails -----------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("layer", ["deconv2d", "conv2d"])
@pytest.mark.parametrize("lossy", ["tf32_products", "bf16_products", "fp16_dw_partials"])
def test_lost_precision_fails_every_case_with_64_terms_or_more(layer: str, lossy: str) -> None:
    impl = _impl(bank.lossy_layer(layer, lossy), lossy)
    judged = 0
    for case in layer_kind(layer).grid_cases("default", ["float32"]):
        result = run_case(impl, case, oracles=("torch",))
        for q, check in _precision(result).items():
            if q not in bank.LOSSY_QUANTITIES[lossy] or check.extra["precision"]["terms"] < 64:
                continue
            judged += 1
            assert not check.passed, (case.id, q, check.statement)
    assert judged >= 5  # the default grid has such cases for every lossy layer


@pytest.mark.parametrize("in_ch", [16, 64, 256, 1024])
def test_tf32_is_caught_at_every_size_with_a_margin_of_ten(in_ch: int) -> None:
    """Where the element-wise bounds let TF32 pass (Y from 256 channels on), precision:* fails
    by a factor of ten or more, in every quantity, and in the forward alone."""
    case = _sized(in_ch)
    result = run_case(
        _impl(bank.lossy_layer("deconv2d", "tf32_products"), "tf32"), case, oracles=("torch",)
    )
    for q in ("Y", "dX", "dW"):
        assert result.checks[f"precision:{q}"].error_ratio >= 10, (
            q,
            result.checks[f"precision:{q}"].statement,
        )
    forward_only = run_case(
        _impl(bank.lossy_layer("deconv2d", "tf32_forward_only"), "tf32 forward"), case
    )
    assert not forward_only.checks["precision:Y"].passed
    for name in ("torch:dX", "torch:dW", "fd:dX", "fd:dW", "adjoint:dX", "adjoint:dW"):
        assert forward_only.checks[name].passed, name  # its backward is exact
    if in_ch >= 256:  # the old blind spot: every element-wise check passes Y
        assert forward_only.checks["torch:Y"].passed


@pytest.mark.parametrize("lossy", ["bf16_products", "fp16_dw_partials"])
def test_dw_reductions_of_16k_terms(lossy: str) -> None:
    """dW summing 4 x 64 x 64 = 16384 products per weight (one per input position)."""
    case = parse_case_id("n4-c2x2-g1-i64x64-k4x4-s2x2-p1.1.1.1-d1x1-op0x0-b1-identity-f32")
    assert case.batch * case.in_h * case.in_w == 16384  # Deconv2D dW sums over inputs
    result = run_case(_impl(bank.lossy_layer("deconv2d", lossy), lossy), case, oracles=("torch",))
    check = result.checks["precision:dW"]
    assert check.extra["precision"]["terms"] >= 16384
    assert check.error_ratio > 10, check.statement
    ok = run_case(
        _impl(bank.correct_layer("deconv2d", "sequential"), "seq"), case, oracles=("torch",)
    )
    assert ok.status == "passed", ok.message


# --- declarations -------------------------------------------------------------------------


def test_a_declared_tf32_layer_passes_and_a_bf16_one_declared_tf32_fails() -> None:
    case = _sized(64).with_dtype("float32", inputs="tf32")
    assert case.id.endswith("-f32-tf32") and case.cfg.input_precision == "tf32"
    tf32 = run_case(_impl(bank.lossy_layer("deconv2d", "tf32_products"), "tf32"), case)
    assert tf32.status == "passed", tf32.message
    assert all(c.inconclusive for n, c in tf32.checks.items() if n.startswith(("fd:", "adjoint:")))
    bf16 = run_case(_impl(bank.lossy_layer("deconv2d", "bf16_products"), "bf16"), case)
    assert not bf16.checks["precision:Y"].passed


def test_float16_accumulation_fails_unless_declared() -> None:
    case = parse_case_id("n4-c64x4-g1-i4x4-k4x4-s2x2-p1.1.1.1-d1x1-op0x0-b1-identity-f16")
    impl = _impl(bank.lossy_layer("deconv2d", "fp16_accumulation"), "fp16 sums")
    assert run_case(impl, case).status == "failed"
    declared = case.with_dtype("float16", accumulate="float16")
    assert declared.id.endswith("-f16-acc16")
    result = run_case(impl, declared)
    assert result.status == "passed", result.message


def test_the_statement_says_bits_terms_and_ratio() -> None:
    result = run_case(_impl(bank.lossy_layer("deconv2d", "tf32_products"), "tf32"), _sized(16))
    text = result.message
    assert "precision:Y:" in text and "bits where a correct float32 layer keeps at least" in text
    assert "terms" in text and "ratio" in text
