"""A bank of deliberately bugged Conv2D implementations, to prove the gate catches them.

Each bug is a plausible mistake, written on top of the reference Conv2D
(`gradgate.reference_impl.conv2d.maths`) so that it is exact everywhere except where the mistake
bites, and named for what it gets wrong.  Its `kind` says where it hides:

- "small": a plain mistake that small cases show (a factor level, or a pair of them);
- "size": exact on every small case, wrong only past a block size (batch chunks of 4, output
  channel blocks of 8, column tiles of 16, reductions longer than 256): the realistic tier of
  `default` must catch it;
- "layout": exact on C-ordered inputs, wrong on others: the gate's layout checks must catch it;
- "three-way": wrong only when three levels meet: `full`'s triple covering must catch it.

`backward_only` bugs keep the forward exact, so fd and the adjoint test must each catch them
alone; the others change the forward (with a backward consistent with it or not).
`consistent` marks forward bugs whose backward is the exact adjoint of the wrong forward: the
adjoint test cannot see them (except where the configured geometry makes a product an exact
zero that the wrong one fills, and so may a layout check), the torch oracle must; `torch_only`
ones also read exactly the pixels the configuration reads, so fd cannot see them either.  A
doubled bias with a doubled db is not such a bug: the adjoint test takes the bias's map as the
broadcast, not from the forward.  No torch here (see docs/findings/torch.md).
Every bug is loadable as an implementation: ``--impl
tests.kinds.conv2d.conv2d_bugs:dW_ignores_dilation``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

import gradgate.reference_impl.conv2d.maths as ref
from gradgate.reference_impl.activations import activate, activation_grad
from gradgate.reference_impl.conv2d.config import Conv2DConfig
from tests.kinds.deconv2d.bugged_impls import (
    _in_float32,  # computed in float32, cast back: both banks
)

Grads = tuple[np.ndarray, np.ndarray, "np.ndarray | None"]
Forward = Callable[..., np.ndarray]
Backward = Callable[..., Grads]


@dataclass(frozen=True)
class Conv2DBug:
    name: str
    factor: str  # the grid factor it concerns
    kind: str  # "small", "size", "layout" or "three-way"
    grid: str  # the grid that must catch it
    outputs: tuple[str, ...]  # quantities it corrupts ("layout" for the layout bug)
    backward_only: bool
    consistent: bool  # a forward bug whose backward is the adjoint of that wrong forward
    torch_only: bool  # consistent, and reading what the configuration reads: fd cannot see it
    forward: Forward
    backward: Backward


CONV2D_BUGS: dict[str, Conv2DBug] = {}


def _register(
    name: str,
    factor: str,
    outputs: tuple[str, ...],
    *,
    kind: str = "small",
    grid: str = "default",
    forward: Forward = ref.forward,
    backward: Backward = ref.backward,
    consistent: bool = False,
    torch_only: bool = False,
) -> None:
    backward_only = forward is ref.forward
    bug = Conv2DBug(
        name, factor, kind, grid, outputs, backward_only, consistent, torch_only, forward, backward
    )
    CONV2D_BUGS[name] = bug
    globals()[name] = bug


def _with(cfg: Conv2DConfig, **changes: Any) -> Conv2DConfig:
    return dataclasses.replace(cfg, **changes)


def _dZ(
    dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Conv2DConfig
) -> np.ndarray:
    """dY through the activation's derivative at Z (what the reference backward starts from)."""
    Z = ref.linear_forward(X, W, b, cfg)
    return dY * activation_grad(cfg.activation, Z, activate(cfg.activation, Z))


def _dW(
    dZ: np.ndarray,
    X: np.ndarray,
    kernel: tuple[int, ...],
    cfg: Conv2DConfig,
    dilation: tuple[int, int] | None = None,
) -> np.ndarray:
    """dW (kh, kw, in_ch // groups, out_ch) tap by tap, reading X at `dilation` (default: cfg's)."""
    kh, kw = kernel
    g = cfg.groups
    cig, cog = X.shape[3] // g, dZ.shape[3] // g
    (sh, sw), (dh, dw) = cfg.stride, dilation or cfg.dilation
    top, bottom, left, right = cfg.padding
    Xp = np.pad(X, ((0, 0), (top, bottom), (left, right), (0, 0)))
    _, out_h, out_w, _ = dZ.shape
    dW = np.zeros((kh, kw, cig, dZ.shape[3]), dtype=dZ.dtype)
    for a in range(kh):
        for c in range(kw):
            window = Xp[:, a * dh : a * dh + (out_h - 1) * sh + 1 : sh]
            window = window[:, :, c * dw : c * dw + (out_w - 1) * sw + 1 : sw]
            for k in range(g):
                xs = window[..., k * cig : (k + 1) * cig]
                dzs = dZ[..., k * cog : (k + 1) * cog]
                dW[a, c, :, k * cog : (k + 1) * cog] = np.einsum("nhwi,nhwo->io", xs, dzs)
    return dW


# --- small: forward bugs with a backward consistent with them ----------------------------------


def _flip(W: np.ndarray) -> np.ndarray:
    return W[::-1, ::-1].copy()


_register(
    "kernel_flipped",  # a true convolution where Conv2d is a cross-correlation
    "kh",
    ("Y", "dX", "dW"),
    forward=lambda X, W, b, cfg: ref.forward(X, _flip(W), b, cfg),
    backward=lambda dY, X, W, b, cfg: (lambda g: (g[0], _flip(g[1]), g[2]))(
        ref.backward(dY, X, _flip(W), b, cfg)
    ),
    consistent=True,
)


def _out_channels_reversed(W: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(W[..., ::-1])


_register(
    "out_channels_reversed",  # fd sees it: it attributes each output channel to its weights
    "out_ch",
    ("Y", "dX", "dW"),
    forward=lambda X, W, b, cfg: ref.forward(X, _out_channels_reversed(W), b, cfg),
    backward=lambda dY, X, W, b, cfg: (lambda g: (g[0], _out_channels_reversed(g[1]), g[2]))(
        ref.backward(dY, X, _out_channels_reversed(W), b, cfg)
    ),
    consistent=True,
)


def _in_channels_reversed(W: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(W[:, :, ::-1])


# Each group's input channels meet the weights of the channels in reverse order (a weight
# layout conversion that flipped the wrong axis): the same pixels, groups and output channels
# as the configuration, so fd (which attributes by those) and the adjoint test cannot see it.
_register(
    "weight_in_channels_reversed",
    "in_ch",
    ("Y", "dX", "dW"),
    forward=lambda X, W, b, cfg: ref.forward(X, _in_channels_reversed(W), b, cfg),
    backward=lambda dY, X, W, b, cfg: (lambda g: (g[0], _in_channels_reversed(g[1]), g[2]))(
        ref.backward(dY, X, _in_channels_reversed(W), b, cfg)
    ),
    consistent=True,
    torch_only=True,
)


def _left_right_swapped(cfg: Conv2DConfig) -> Conv2DConfig:
    top, bottom, left, right = cfg.padding
    return _with(cfg, padding=(top, bottom, right, left))


# A geometry bug whose backward is its exact adjoint.  fd sees outputs move that the configured
# geometry says cannot, and where the configured geometry leaves an output on padding only
# (its bound an exact zero) the adjoint test and the layout checks see it too.
_register(
    "padding_left_right_swapped",
    "padding",
    ("Y", "dX", "dW"),
    forward=lambda X, W, b, cfg: ref.forward(X, W, b, _left_right_swapped(cfg)),
    backward=lambda dY, X, W, b, cfg: ref.backward(dY, X, W, b, _left_right_swapped(cfg)),
    consistent=True,
)
_register(
    "bias_added_twice",
    "bias",
    ("Y", "db"),
    forward=lambda X, W, b, cfg: ref.forward(X, W, None if b is None else 2 * b, cfg),
    backward=lambda dY, X, W, b, cfg: (lambda g: (g[0], g[1], None if g[2] is None else 2 * g[2]))(
        ref.backward(dY, X, W, None if b is None else 2 * b, cfg)
    ),
)


_register(
    "float32_inside",
    "dtype",
    ("Y", "dX", "dW", "db"),
    forward=_in_float32(ref.forward),  # type: ignore[arg-type]
    backward=_in_float32(ref.backward),  # type: ignore[arg-type]
)

# --- small: backward-only bugs (fd and the adjoint test must each catch them alone) ---------


def _dW_ignores_dilation(
    dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Conv2DConfig
) -> Grads:
    """dW's taps read X at dilation 1: tap a at row a, not a * dilation."""
    dX, _, db = ref.backward(dY, X, W, b, cfg)
    return dX, _dW(_dZ(dY, X, W, b, cfg), X, W.shape[:2], cfg, dilation=(1, 1)), db


_register("dW_ignores_dilation", "dilation", ("dW",), backward=_dW_ignores_dilation)


def _dX_cropped_by_bottom(
    dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Conv2DConfig
) -> Grads:
    """The padded input's gradient cropped at the bottom padding's offset, not the top's."""
    dX, dW, db = ref.backward(dY, X, W, b, cfg)
    top, bottom, _, _ = cfg.padding
    n, in_h, in_w, in_ch = X.shape
    dXp = np.zeros((n, top + in_h + bottom, in_w, in_ch), dtype=dX.dtype)
    dXp[:, top : top + in_h] = dX
    return np.ascontiguousarray(dXp[:, bottom : bottom + in_h]), dW, db


_register("dX_uses_bottom_padding_for_top", "padding", ("dX",), backward=_dX_cropped_by_bottom)


def _dX_drops_partial_window(
    dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Conv2DConfig
) -> Grads:
    """dX from dZ without its last output row (col) when the stride leaves a remainder.

    A col2im that counts (padded - span) // stride windows, plus one only when the stride
    divides evenly: the last window, after a partial stride step, is dropped.
    """
    _, dW, db = ref.backward(dY, X, W, b, cfg)
    dZ = _dZ(dY, X, W, b, cfg).copy()
    _, in_h, in_w, _ = X.shape
    kh, kw = W.shape[:2]
    top, bottom, left, right = cfg.padding
    (sh, sw), (dh, dw) = cfg.stride, cfg.dilation
    if (in_h + top + bottom - dh * (kh - 1) - 1) % sh:
        dZ[:, -1] = 0
    if (in_w + left + right - dw * (kw - 1) - 1) % sw:
        dZ[:, :, -1] = 0
    dX, _, _ = ref.linear_backward(dZ, X, W, cfg, b is not None)
    return dX, dW, db


_register("dX_drops_last_partial_window", "stride", ("dX",), backward=_dX_drops_partial_window)


def _dW_groups_interleaved(
    dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Conv2DConfig
) -> Grads:
    """dW with X's channels split into groups interleaved (c = i * groups + k), not in blocks."""
    dX, _, db = ref.backward(dY, X, W, b, cfg)
    in_ch, g = X.shape[3], cfg.groups
    interleaved = [i * g + k for k in range(g) for i in range(in_ch // g)]
    return dX, _dW(_dZ(dY, X, W, b, cfg), X[..., interleaved], W.shape[:2], cfg), db


_register("dW_groups_mix_channels", "groups", ("dW",), backward=_dW_groups_interleaved)


def _db_first_image(
    dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Conv2DConfig
) -> Grads:
    """db summed over the first image's pixels only, not over the batch."""
    dX, dW, db = ref.backward(dY, X, W, b, cfg)
    if db is None:
        return dX, dW, db
    return dX, dW, _dZ(dY, X, W, b, cfg)[0].sum(axis=(0, 1))


_register("db_not_summed_over_batch", "batch", ("db",), backward=_db_first_image)


def _activation_grad_at_Y(
    dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Conv2DConfig
) -> Grads:
    """The activation's derivative evaluated at Y = f(Z) instead of at Z."""
    Y = ref.forward(X, W, b, cfg)
    dZ = dY * activation_grad(cfg.activation, Y, activate(cfg.activation, Y))
    return ref.linear_backward(dZ, X, W, cfg, b is not None)


_register("activation_grad_at_Y", "activation", ("dX", "dW", "db"), backward=_activation_grad_at_Y)


def _dX_in_channels_reversed(
    dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Conv2DConfig
) -> Grads:
    dX, dW, db = ref.backward(dY, X, W, b, cfg)
    return np.ascontiguousarray(dX[..., ::-1]), dW, db


_register("dX_in_channels_reversed", "in_ch", ("dX",), backward=_dX_in_channels_reversed)

# --- size: exact on small cases, wrong past a block size --------------------------------------


def _batch_chunks_of_4(
    dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Conv2DConfig
) -> Grads:
    """dW and db summed over chunks of 4 images, n // 4 of them past 4: the remainder drops."""
    dX, _, _ = ref.backward(dY, X, W, b, cfg)
    n = X.shape[0]
    kept = n if n <= 4 else 4 * (n // 4)
    _, dW, db = ref.backward(dY[:kept], X[:kept], W, b, cfg)
    return dX, dW, db


_register("batch_chunks_of_4", "batch", ("dW", "db"), kind="size", backward=_batch_chunks_of_4)


def _dW_out_channel_blocks_of_8(
    dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Conv2DConfig
) -> Grads:
    """dW in blocks of 8 output channels; the remainder block reads dZ[..., -8:] from its start."""
    dX, dW, db = ref.backward(dY, X, W, b, cfg)
    out_ch = W.shape[3]
    rem = out_ch % 8
    if cfg.groups != 1 or out_ch < 8 or not rem:
        return dX, dW, db
    dZ = _dZ(dY, X, W, b, cfg)
    tail = np.ascontiguousarray(dZ[..., -8:][..., :rem])  # right only below 8: dZ[..., -rem:]
    dW = dW.copy()
    dW[..., -rem:] = _dW(tail, X, W.shape[:2], cfg)
    return dX, dW, db


_register(
    "dW_out_channel_blocks_of_8",
    "out_ch",
    ("dW",),
    kind="size",
    backward=_dW_out_channel_blocks_of_8,
)


def _dX_column_tiles_of_16(
    dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Conv2DConfig
) -> Grads:
    """dX over input-column tiles of 16, each tile but the last one column short."""
    dX, dW, db = ref.backward(dY, X, W, b, cfg)
    tiled = np.zeros_like(dX)
    width = X.shape[2]
    for start in range(0, width, 16):
        stop = min(start + 16, width)
        end = stop - 1 if stop < width else stop  # off by one where another tile follows
        tiled[:, :, start:end] = dX[:, :, start:end]
    return tiled, dW, db


_register("dX_column_tiles_of_16", "in_w", ("dX",), kind="size", backward=_dX_column_tiles_of_16)

# Reductions longer than this switch to a "fast" float32 path, even in a float64 layer.
LONG_REDUCTION = 256


def _long_reduction_in_float32(
    X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Conv2DConfig
) -> np.ndarray:
    """Z accumulated in float32 when each output sums more than 256 products."""
    kh, kw, cig, _ = W.shape
    if X.dtype != np.float64 or kh * kw * cig <= LONG_REDUCTION:
        return ref.forward(X, W, b, cfg)
    return _in_float32(ref.forward)(X, W, b, cfg)  # type: ignore[return-value]


_register(
    "long_reduction_in_float32", "dtype", ("Y",), kind="size", forward=_long_reduction_in_float32
)

# --- layout: right only for C-ordered inputs --------------------------------------------------


def _as_c_order(X: np.ndarray) -> np.ndarray:
    """X's memory read as if it were C-ordered: right only for C-contiguous (or gapped) X."""
    return X.ravel(order="K").reshape(X.shape)


_register(
    "im2col_assumes_c_order",
    "layout",
    ("layout",),
    kind="layout",
    forward=lambda X, W, b, cfg: ref.forward(_as_c_order(X), W, b, cfg),
    backward=lambda dY, X, W, b, cfg: ref.backward(dY, _as_c_order(X), W, b, cfg),
)

# --- three-way: stride 3 x asymmetric padding x no bias --------------------------------------


def _stride3_asymmetric_no_bias(
    X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Conv2DConfig
) -> np.ndarray:
    """With stride 3 on the rows, top != bottom padding and no bias, the two are swapped."""
    top, bottom, left, right = cfg.padding
    if b is None and cfg.stride[0] == 3 and top != bottom:
        return ref.forward(X, W, b, _with(cfg, padding=(bottom, top, left, right)))
    return ref.forward(X, W, b, cfg)


_register(
    "stride3_asymmetric_padding_no_bias",
    "stride",
    ("Y",),
    kind="three-way",
    grid="full",
    forward=_stride3_asymmetric_no_bias,
)
