"""Bugs that hide from tiny shapes: block sizes, memory layouts, three-way interactions.

Each is a plausible mistake of a real (blocked, tiled, fast-path) implementation, written on
top of the reference so that it is exact everywhere except where the mistake bites:

- sizes: a batch reduced in chunks of 4 dropping the remainder, input columns in tiles of 16
  with an off-by-one at the tile edge, output channels in blocks of 8 with a remainder bug, a
  long reduction quietly done in float32 inside a float64 layer;
- layout: an im2col that takes the memory of X for C order;
- three-way: stride 3 with asymmetric padding and no bias.

`grid` names the grid that must catch each one; tests/kinds/deconv2d/test_realistic_bugs.py checks
it does.
Every bug is loadable as an implementation: ``--impl
tests.kinds.deconv2d.realistic_bugs:batch_chunks_of_4``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

import gradgate.reference_impl as ref
from gradgate.reference_impl.deconv2d.config import DeconvConfig

Grads = tuple[np.ndarray, np.ndarray, "np.ndarray | None"]


@dataclass(frozen=True)
class RealisticBug:
    name: str
    kind: str  # "size", "layout" or "three-way"
    grid: str  # the grid that must catch it
    catches: tuple[str, ...]  # check-name prefixes that must fail
    backward_only: bool
    forward: Callable[..., np.ndarray]
    backward: Callable[..., Grads]


REALISTIC_BUGS: dict[str, RealisticBug] = {}


def _register(bug: RealisticBug) -> None:
    REALISTIC_BUGS[bug.name] = bug
    globals()[bug.name] = bug


# --- sizes ----------------------------------------------------------------------------------


def _batch_chunks_of_4(dY: np.ndarray, X: np.ndarray, W: np.ndarray, b, cfg) -> Grads:  # type: ignore[no-untyped-def]
    """dW and db summed over chunks of 4 images, max(1, n // 4) chunks: the remainder drops."""
    dX, _, _ = ref.backward(dY, X, W, b, cfg)
    n = X.shape[0]
    kept = n if n <= 4 else 4 * (n // 4)
    _, dW, db = ref.backward(dY[:kept], X[:kept], W, b, cfg)
    return dX, dW, db


_register(
    RealisticBug(
        "batch_chunks_of_4",
        "size",
        "default",
        ("fd:dW", "torch:dW"),
        True,
        ref.forward,
        _batch_chunks_of_4,
    )
)


def _column_tiles_of_16(dY: np.ndarray, X: np.ndarray, W: np.ndarray, b, cfg) -> Grads:  # type: ignore[no-untyped-def]
    """dX over input-column tiles of 16, each tile but the last one column short."""
    dX, dW, db = ref.backward(dY, X, W, b, cfg)
    tiled = np.zeros_like(dX)
    width = X.shape[2]
    for start in range(0, width, 16):
        stop = min(start + 16, width)
        end = stop - 1 if stop < width else stop  # off by one where another tile follows
        tiled[:, :, start:end] = dX[:, :, start:end]
    return tiled, dW, db


_register(
    RealisticBug(
        "column_tiles_of_16",
        "size",
        "default",
        ("fd:dX", "torch:dX"),
        True,
        ref.forward,
        _column_tiles_of_16,
    )
)


def _out_channel_blocks_of_8(X: np.ndarray, W: np.ndarray, b, cfg: DeconvConfig) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Output channels in blocks of 8; the remainder block takes its weights from W[..., -8:]."""
    Y = ref.forward(X, W, b, cfg)
    cog = W.shape[3]
    rem = cog % 8
    if cfg.groups != 1 or not rem:
        return Y
    tail = W[..., -8:][..., :rem]  # right only when cog < 8: should be W[..., -rem:]
    tail_b = None if b is None else b[-rem:]
    Y[..., -rem:] = ref.forward(X, np.ascontiguousarray(tail), tail_b, cfg)
    return Y


_register(
    RealisticBug(
        "out_channel_blocks_of_8",
        "size",
        "default",
        ("torch:Y",),
        False,
        _out_channel_blocks_of_8,
        ref.backward,
    )
)

# Reductions longer than this switch to a "fast" float32 path, even in a float64 layer.
_LONG = 256


def _in_float32_when_long(X: np.ndarray, W: np.ndarray, b, cfg: DeconvConfig) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Z accumulated in float32 when each output sums more than 256 products."""
    kh, kw, in_ch, _ = W.shape
    if X.dtype != np.float64 or kh * kw * (in_ch // cfg.groups) <= _LONG:
        return ref.forward(X, W, b, cfg)
    f32 = (X.astype(np.float32), W.astype(np.float32), None if b is None else b.astype(np.float32))
    return ref.forward(*f32, cfg).astype(np.float64)


_register(
    RealisticBug(
        "long_reduction_in_float32",
        "size",
        "default",
        ("torch:Y",),
        False,
        _in_float32_when_long,
        ref.backward,
    )
)

# --- layout ---------------------------------------------------------------------------------


def _as_c_order(X: np.ndarray) -> np.ndarray:
    """X's memory read as if it were C-ordered: right only for C-contiguous (or gapped) X."""
    return X.ravel(order="K").reshape(X.shape)


_register(
    RealisticBug(
        "im2col_assumes_c_order",
        "layout",
        "default",
        ("layout:",),
        False,
        lambda X, W, b, cfg: ref.forward(_as_c_order(X), W, b, cfg),
        lambda dY, X, W, b, cfg: ref.backward(dY, _as_c_order(X), W, b, cfg),
    )
)

# --- three-way ------------------------------------------------------------------------------


def _stride3_asymmetric_no_bias(X: np.ndarray, W: np.ndarray, b, cfg: DeconvConfig) -> np.ndarray:  # type: ignore[no-untyped-def]
    """With stride 3 on the rows, top != bottom padding and no bias, the crop is swapped."""
    top, bottom, left, right = cfg.padding
    if b is None and cfg.stride[0] == 3 and top != bottom:
        cfg = dataclasses.replace(cfg, padding=(bottom, top, left, right))
    return ref.forward(X, W, b, cfg)


_register(
    RealisticBug(
        "stride3_asymmetric_padding_no_bias",
        "three-way",
        "full",
        ("torch:Y",),
        False,
        _stride3_asymmetric_no_bias,
        ref.backward,
    )
)
