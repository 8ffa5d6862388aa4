"""A bank of deliberately wrong forward-mode and second-order Deconv2D derivatives (issue 21).

Each bug is the reference (`gradgate.reference_impl`: forward, backward, and the right one of
jvp or double_backward) with one of the two wrong, in the way a hand-written kernel gets it
wrong.  Each wrong result is the right one minus the part the bug gets wrong, built from the
reference's own linear map, so the bank stays short and every bug differs from the truth only
where its mistake matters.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import numpy as np

import gradgate.reference_impl as ref
from gradgate.reference_impl.activations import activate, activation_grad, activation_second

L = ref.linear_forward
LT = ref.linear_backward


def _slope(X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any) -> np.ndarray:
    Z = L(X, W, b, cfg)
    return activation_grad(cfg.activation, Z, activate(cfg.activation, Z))


def _fitted(Z: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Z cut or zero-padded at the bottom/right to `shape` (what a kernel that computed the
    wrong size writes into the right-sized output)."""
    Z = Z[:, : shape[1], : shape[2], :]
    pad = [(0, 0), (0, shape[1] - Z.shape[1]), (0, shape[2] - Z.shape[2]), (0, 0)]
    return np.pad(Z, pad)


def _jvp_bug(wrong_part: Callable[..., np.ndarray]) -> SimpleNamespace:
    """The reference, whose jvp replaces the tangent of Z by wrong_part(tX, tW, tb, X, W, b,
    cfg) + the rest (the rest: the true tangent minus the part the bug recomputes)."""

    def jvp(tX, tW, tb, X, W, b, cfg):  # type: ignore[no-untyped-def]
        Y, tY = ref.jvp(tX, tW, tb, X, W, b, cfg)
        return Y, tY + _slope(X, W, b, cfg) * wrong_part(tX, tW, tb, X, W, b, cfg)

    return SimpleNamespace(forward=ref.forward, backward=ref.backward, jvp=jvp)


def _ignores_dilation(tX, tW, tb, X, W, b, cfg):  # type: ignore[no-untyped-def]
    """L(tX, W) computed as if the kernel were not dilated."""
    right = L(tX, W, None, cfg)
    plain = dataclasses.replace(cfg, dilation=(1, 1), output_padding=(0, 0), padding=(0,) * 4)
    top, _, left, _ = cfg.padding
    return _fitted(L(tX, W, None, plain)[:, top:, left:, :], right.shape) - right


def _kernel_not_flipped_for_tangent(tX, tW, tb, X, W, b, cfg):  # type: ignore[no-untyped-def]
    """L(X, tW) with the weight tangent's kernel flipped in space (a transposed-kernel
    mistake made in the tangent's path only)."""
    flipped = np.ascontiguousarray(tW[::-1, ::-1])
    return L(X, flipped, None, cfg) - L(X, tW, None, cfg)


def _bias_tangent_dropped(tX, tW, tb, X, W, b, cfg):  # type: ignore[no-untyped-def]
    return np.zeros(1, X.dtype) if tb is None else -np.broadcast_to(tb, L(X, W, None, cfg).shape)


def _double_backward_bug(wrong_part: Callable[..., tuple[Any, ...]]) -> SimpleNamespace:
    """The reference, whose double_backward adds wrong_part(...) to (gdY, gX, gW, gb)."""

    def double_backward(ddX, ddW, ddb, dY, X, W, b, cfg):  # type: ignore[no-untyped-def]
        right = ref.double_backward(ddX, ddW, ddb, dY, X, W, b, cfg)
        extra = wrong_part(ddX, ddW, ddb, dY, X, W, b, cfg)
        return tuple(r if e is None else r + e for r, e in zip(right, extra))

    return SimpleNamespace(
        forward=ref.forward, backward=ref.backward, double_backward=double_backward
    )


def _curvature_term(ddX, ddW, ddb, dY, X, W, b, cfg):  # type: ignore[no-untyped-def]
    """The part of (gX, gW, gb) through act'': L^T of R = T * dY * act''(Z)."""
    Z = L(X, W, b, cfg)
    T = L(ddX, W, ddb, cfg) + L(X, ddW, None, cfg)
    R = T * dY * activation_second(cfg.activation, Z, activate(cfg.activation, Z))
    return LT(R, X, W, cfg, b is not None)


def _activation_second_sign_flipped(ddX, ddW, ddb, dY, X, W, b, cfg):  # type: ignore[no-untyped-def]
    """act'' with the wrong sign: (gX, gW, gb) off by twice the curvature term."""
    gX, gW, gb = _curvature_term(ddX, ddW, ddb, dY, X, W, b, cfg)
    return None, -2 * gX, -2 * gW, None if gb is None else -2 * gb


def _cross_terms_dropped(ddX, ddW, ddb, dY, X, W, b, cfg):  # type: ignore[no-untyped-def]
    """gX without L_X^T(dZ; ddW) and gW without L_W^T(ddX; dZ): the terms through dY's own
    path (dZ = act'(Z) * dY) that a hand derivation forgets."""
    cross_X, cross_W, _ = LT(dY * _slope(X, W, b, cfg), ddX, ddW, cfg, False)
    return None, -cross_X, -cross_W, None


def _cross_term_over_stride(ddX, ddW, ddb, dY, X, W, b, cfg):  # type: ignore[no-untyped-def]
    """gX's cross term divided by the row stride: right only at stride 1."""
    cross = LT(dY * _slope(X, W, b, cfg), ddX, ddW, cfg, False)[0]
    return None, cross * (1 / cfg.stride[0] - 1), None, None


JVP_BUGS: dict[str, SimpleNamespace] = {
    "jvp_ignores_dilation": _jvp_bug(_ignores_dilation),
    "jvp_transposed_kernel_mistake": _jvp_bug(_kernel_not_flipped_for_tangent),
    "jvp_bias_tangent_dropped": _jvp_bug(_bias_tangent_dropped),
}
DOUBLE_BACKWARD_BUGS: dict[str, SimpleNamespace] = {
    "activation_second_derivative_sign": _double_backward_bug(_activation_second_sign_flipped),
    "double_backward_drops_dY_terms": _double_backward_bug(_cross_terms_dropped),
    "double_backward_right_only_at_stride_1": _double_backward_bug(_cross_term_over_stride),
}
