"""What tests/frameworks/test_frameworks.py holds each framework's forward mode and second
order to (issue 21): on a sample of the Deconv2D smoke grid, the gate's verdict of each
derivative is a direct comparison's with torch float64 (tests/frameworks/derivative_verdicts.py),
and a derivative a framework does not offer is `unsupported` in the framework's own words, never
failed; torch's and TensorFlow's adapters on the other kinds too."""

from __future__ import annotations

from typing import Any

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


def check_each_derivative(name: str, by_dtype: dict[str, Any]) -> None:
    """by_dtype: {dtype: derivative_verdicts.verdicts} on Deconv2D's sample (SAMPLED, DTYPES)."""
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
# kinds share one class, so one ordinary and one transposed kind hold that class).
OTHER_KINDS: dict[str, tuple[str, ...]] = {
    "torch": ("conv1d", "conv2d", "conv3d", "deconv1d", "deconv3d"),
    "tensorflow": ("conv2d", "deconv3d"),
}


OTHER_KIND_SAMPLE = (0, 4, 8)


def check_other_kinds(name: str, by_layer: dict[str, Any]) -> None:
    """The same adapters' derivatives on the other kinds (one module per framework serves
    every kind): by_layer {"layer/float64": verdicts} on OTHER_KIND_SAMPLE of each smoke grid."""
    for layer in OTHER_KINDS[name]:
        seen = set()
        for case_id, per in by_layer[f"{layer}/float64"].items():
            for derivative, (gate, direct, reason, others, forward_off) in per.items():
                assert gate == direct, (layer, case_id, derivative, gate, direct, reason)
                assert not others or gate == "failed" or forward_off, (case_id, others)
                seen.add(gate)
        assert "passed" in seen, (layer, seen)
