"""Forward mode and the second order of every framework (issue 21): on a sample of the Deconv2D
smoke grid, the gate's verdict of each derivative is a direct comparison's with torch float64
(tests/frameworks/derivative_verdicts.py), and a derivative a framework does not offer is
`unsupported` in the framework's own words, never failed."""

from __future__ import annotations

import pytest

from gradgate.harness.frameworks import FRAMEWORKS
from tests.frameworks.derivative_verdicts import derivative_verdicts_in_a_subprocess
from tests.frameworks.framework_verdicts import skip_unless_usable

pytestmark = pytest.mark.slow  # the frameworks themselves, one process each

# What each framework's sample shows, per derivative (docs/conformance.md, "Forward mode and
# the second order").  MLX's float64 convolutions refuse or compute in float32 (its first
# derivative's findings), so its float64 cases are not checked or fail as the first does.
EXPECTED: dict[str, dict[str, set[str]]] = {
    "torch": {"forward": {"passed"}, "second": {"passed"}},
    "jax": {"forward": {"passed"}, "second": {"passed"}},
    "tensorflow": {"forward": {"passed", "unsupported"}, "second": {"passed", "unsupported"}},
    "paddle": {"forward": {"unsupported"}, "second": {"unsupported"}},
    "mlx": {
        "forward": {"unsupported", "not checked"},
        "second": {"passed", "failed", "not checked"},
    },
    "tinygrad": {"forward": {"unsupported"}, "second": {"passed"}},
}
# The framework's own words for what it does not offer.
REASONS: dict[str, dict[str, tuple[str, ...]]] = {
    "paddle": {
        "forward": ("is not registered", "doesn't have any grad op"),
        "second": ("is not registered", "doesn't have any grad op"),
    },
    "mlx": {"forward": ("[Primitive::jvp] Not implemented for Convolution",)},
    "tinygrad": {"forward": ("no forward-mode autodiff",)},
}
# XLA and tinygrad compile every shape (see test_frameworks.py's SAMPLED).
SAMPLED: dict[str, tuple[int, ...]] = {"jax": (0, 8), "tinygrad": (6, 8)}
DTYPES: dict[str, tuple[str, ...]] = {"tinygrad": ("float64",)}


@pytest.mark.parametrize("name", list(FRAMEWORKS))
def test_each_derivative_agrees_with_a_direct_comparison(name: str) -> None:
    skip_unless_usable(name)
    by_dtype = derivative_verdicts_in_a_subprocess(
        name, DTYPES.get(name, ("float64", "float32")), SAMPLED.get(name)
    )
    seen: dict[str, set[str]] = {"forward": set(), "second": set()}
    for dtype, cases in by_dtype.items():
        for case_id, per in cases.items():
            for derivative, (gate, direct, reason, others, forward_off) in per.items():
                assert gate == direct, (dtype, case_id, derivative, gate, direct, reason)
                # fd and the identities see no more than torch, except through a forward that
                # is itself off (they differentiate it)
                assert not others or gate == "failed" or forward_off, (case_id, others)
                seen[derivative].add(gate)
                if (
                    reason != "the case"
                    and gate == "unsupported"
                    and derivative in REASONS.get(name, {})
                ):
                    words = REASONS[name][derivative]
                    assert any(w in reason for w in words), (case_id, derivative, reason)
    for derivative, verdicts in seen.items():
        assert verdicts <= EXPECTED[name][derivative], (derivative, verdicts)
        assert verdicts & EXPECTED[name][derivative] - {"not checked"}, (derivative, verdicts)


# torch on every other kind; TensorFlow on two (its Deconv2D is a module of its own, the other
# kinds share one class, so one ordinary and one transposed kind hold that class), each a
# subprocess that imports the framework (5 s for TensorFlow).
OTHER_KINDS: dict[str, tuple[str, ...]] = {
    "torch": ("conv1d", "conv2d", "conv3d", "deconv1d", "deconv3d"),
    "tensorflow": ("conv2d", "deconv3d"),
}


@pytest.mark.parametrize("name", list(OTHER_KINDS))
def test_every_other_kind_s_derivatives_agree_with_a_direct_comparison(name: str) -> None:
    """The same adapters' derivatives on the other kinds (one module per framework serves
    every kind): a sample of each smoke grid, float64."""
    skip_unless_usable(name)
    for layer in OTHER_KINDS[name]:
        by_dtype = derivative_verdicts_in_a_subprocess(name, ("float64",), (0, 4, 8), layer)
        seen = set()
        for case_id, per in by_dtype["float64"].items():
            for derivative, (gate, direct, reason, others, forward_off) in per.items():
                assert gate == direct, (layer, case_id, derivative, gate, direct, reason)
                assert not others or gate == "failed" or forward_off, (case_id, others)
                seen.add(gate)
        assert "passed" in seen, (layer, seen)
