"""A bank of deliberately bugged 1-D and 3-D convolutions (Conv1D, Deconv1D, Conv3D, Deconv3D),
to prove the gate catches them on every kind with one spatial axis or three.

Each bug is a plausible mistake written once, over any number of axes, on top of the kind's
reference (`gradgate.reference_impl.KIND`), so that it is exact everywhere except where the
mistake bites; the bank holds it once per kind, loadable as
``--impl tests.kinds.axis_bugs:conv3d__dW_ignores_dilation --layer conv3d``.  Its `kind` says
where it hides, as in the 2-D banks (tests/kinds/conv2d/conv2d_bugs.py):

- "small": a plain mistake that small cases show;
- "size": exact on every small case (edge cases and the pairwise covering), wrong only past a
  block size: the realistic tier of `default` must catch it;
- "layout": exact on C-ordered inputs, wrong on others: the layout checks must catch it;
- "three-way": wrong only when three levels meet: `full`'s triple covering must catch it.

`backward_only` bugs keep the forward exact, so fd and the adjoint test must each catch them
alone; `consistent` forward bugs have the exact adjoint of the wrong forward as their backward.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from gradgate.reference_impl.activations import activate, activation_grad
from tests.kinds.deconv2d.bugged_impls import _in_float32

KINDS: tuple[str, ...] = ("conv1d", "deconv1d", "conv3d", "deconv3d")
Grads = tuple[np.ndarray, np.ndarray, "np.ndarray | None"]


@dataclass(frozen=True)
class AxisBug:
    name: str
    layer: str
    factor: str  # the grid factor it concerns
    kind: str  # "small", "size", "layout" or "three-way"
    grid: str  # the grid that must catch it
    outputs: tuple[str, ...]  # quantities it corrupts
    backward_only: bool
    consistent: bool
    forward: Callable[..., np.ndarray]
    backward: Callable[..., Grads]


BUGS: dict[str, AxisBug] = {}  # "conv3d__dW_ignores_dilation" -> the bug


def _ref(layer: str) -> Any:
    return importlib.import_module(f"gradgate.reference_impl.{layer}")


def _dZ(ref: Any, dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: Any, cfg: Any) -> np.ndarray:
    Z = ref.linear_forward(X, W, b, cfg)
    return dY * activation_grad(cfg.activation, Z, activate(cfg.activation, Z))


def _flip(W: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(W[(slice(None, None, -1),) * (W.ndim - 2)])


def _last_axis_sides_swapped(cfg: Any) -> Any:
    pad = list(cfg.padding)
    pad[-2], pad[-1] = pad[-1], pad[-2]
    return dataclasses.replace(cfg, padding=tuple(pad))


def _dW_at_dilation_1(
    ref: Any, dZ: np.ndarray, X: np.ndarray, W: np.ndarray, cfg: Any
) -> np.ndarray:
    """dW tap by tap with the taps read at dilation 1 (tap a at a, not a * dilation)."""
    nd = X.ndim - 2
    ones = dataclasses.replace(cfg, dilation=(1,) * nd)
    dW = np.zeros_like(W)
    g = cfg.groups
    if hasattr(cfg, "output_padding"):  # transposed: dW[a] = sum X[i] dfull[i * s + a]
        size = X.shape[1:-1]
        full = [
            (n - 1) * s + d * (k - 1) + 1 + op
            for n, k, s, d, op in zip(
                size, W.shape[:nd], cfg.stride, cfg.dilation, cfg.output_padding
            )
        ]
        dfull = np.zeros((X.shape[0], *full, dZ.shape[-1]))
        crop = tuple(
            slice(cfg.padding[2 * i], cfg.padding[2 * i] + o) for i, o in enumerate(dZ.shape[1:-1])
        )
        dfull[(slice(None), *crop)] = dZ
        cig, cog = X.shape[-1] // g, dZ.shape[-1] // g
        for tap in np.ndindex(*W.shape[:nd]):
            window = (slice(None),) + tuple(
                slice(a, a + (n - 1) * s + 1, s) for a, n, s in zip(tap, size, cfg.stride)
            )
            part = dfull[window]
            for k in range(g):
                xs, ds = X[..., k * cig : (k + 1) * cig], part[..., k * cog : (k + 1) * cog]
                dW[tap][k * cig : (k + 1) * cig] = np.tensordot(
                    xs, ds, axes=(list(range(nd + 1)),) * 2
                )
        return dW
    # ordinary: the reference's per-tap backward at dilation 1 on the same dZ
    return ref.linear_backward(dZ, X, W, ones, False)[1]


def _register(
    name: str,
    factor: str,
    outputs: tuple[str, ...],
    make: Callable[[str, Any], tuple[Callable[..., Any] | None, Callable[..., Any] | None]],
    *,
    kind: str = "small",
    grid: str = "default",
    consistent: bool = False,
    layers: tuple[str, ...] = KINDS,
) -> None:
    """Register bug `name` on each kind: `make(layer, ref)` gives (forward, backward), None for
    the reference's own."""
    for layer in layers:
        ref = _ref(layer)
        forward, backward = make(layer, ref)
        bug = AxisBug(
            name,
            layer,
            factor,
            kind,
            grid,
            outputs,
            forward is None,
            consistent,
            forward or ref.forward,
            backward or ref.backward,
        )
        BUGS[f"{layer}__{name}"] = bug
        globals()[f"{layer}__{name}"] = bug


# --- small ------------------------------------------------------------------------------------

_register(
    "kernel_flipped",  # a true convolution where torch's is a cross-correlation (or the reverse)
    "kernel",
    ("Y", "dX", "dW"),
    lambda layer, ref: (
        lambda X, W, b, cfg: ref.forward(X, _flip(W), b, cfg),
        lambda dY, X, W, b, cfg: (lambda g: (g[0], _flip(g[1]), g[2]))(
            ref.backward(dY, X, _flip(W), b, cfg)
        ),
    ),
    consistent=True,
)
_register(
    "last_axis_padding_sides_swapped",
    "padding",
    ("Y", "dX", "dW"),
    lambda layer, ref: (
        lambda X, W, b, cfg: ref.forward(X, W, b, _last_axis_sides_swapped(cfg)),
        lambda dY, X, W, b, cfg: ref.backward(dY, X, W, b, _last_axis_sides_swapped(cfg)),
    ),
    consistent=True,
)
_register(
    "bias_added_twice",
    "bias",
    ("Y", "db"),
    lambda layer, ref: (
        lambda X, W, b, cfg: ref.forward(X, W, None if b is None else 2 * b, cfg),
        lambda dY, X, W, b, cfg: (lambda g: (g[0], g[1], None if g[2] is None else 2 * g[2]))(
            ref.backward(dY, X, W, None if b is None else 2 * b, cfg)
        ),
    ),
)
_register(
    "float32_inside",
    "dtype",
    ("Y", "dX", "dW", "db"),
    lambda layer, ref: (_in_float32(ref.forward), _in_float32(ref.backward)),
)


def _dW_ignores_dilation(layer: str, ref: Any) -> tuple[None, Callable[..., Grads]]:
    def backward(dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: Any, cfg: Any) -> Grads:
        dX, _, db = ref.backward(dY, X, W, b, cfg)
        return dX, _dW_at_dilation_1(ref, _dZ(ref, dY, X, W, b, cfg), X, W, cfg), db

    return None, backward


_register("dW_ignores_dilation", "dilation", ("dW",), _dW_ignores_dilation)


def _db_first_image(layer: str, ref: Any) -> tuple[None, Callable[..., Grads]]:
    def backward(dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: Any, cfg: Any) -> Grads:
        dX, dW, db = ref.backward(dY, X, W, b, cfg)
        if db is None:
            return dX, dW, db
        dZ = _dZ(ref, dY, X, W, b, cfg)
        return dX, dW, dZ[0].reshape(-1, dZ.shape[-1]).sum(axis=0)

    return None, backward


_register("db_not_summed_over_batch", "batch", ("db",), _db_first_image)


def _activation_grad_at_Y(layer: str, ref: Any) -> tuple[None, Callable[..., Grads]]:
    def backward(dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: Any, cfg: Any) -> Grads:
        Y = ref.forward(X, W, b, cfg)
        dZ = dY * activation_grad(cfg.activation, Y, activate(cfg.activation, Y))
        return ref.linear_backward(dZ, X, W, cfg, b is not None)

    return None, backward


_register("activation_grad_at_Y", "activation", ("dX", "dW", "db"), _activation_grad_at_Y)


def _dX_in_channels_reversed(layer: str, ref: Any) -> tuple[None, Callable[..., Grads]]:
    def backward(dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: Any, cfg: Any) -> Grads:
        dX, dW, db = ref.backward(dY, X, W, b, cfg)
        return np.ascontiguousarray(dX[..., ::-1]), dW, db

    return None, backward


_register("dX_in_channels_reversed", "in_ch", ("dX",), _dX_in_channels_reversed)

# --- size -------------------------------------------------------------------------------------


def _batch_chunks_of_4(layer: str, ref: Any) -> tuple[None, Callable[..., Grads]]:
    def backward(dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: Any, cfg: Any) -> Grads:
        """dW and db summed over chunks of 4 images, n // 4 of them past 4: the rest drops."""
        dX, _, _ = ref.backward(dY, X, W, b, cfg)
        n = X.shape[0]
        kept = n if n <= 4 else 4 * (n // 4)
        _, dW, db = ref.backward(dY[:kept], X[:kept], W, b, cfg)
        return dX, dW, db

    return None, backward


_register("batch_chunks_of_4", "batch", ("dW", "db"), _batch_chunks_of_4, kind="size")


def _out_channel_blocks_of_8(layer: str, ref: Any) -> tuple[None, Callable[..., Grads]]:
    def backward(dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: Any, cfg: Any) -> Grads:
        """dW in blocks of 8 output channels; the remainder block reads dZ[..., -8:] from its
        start (right only below 8 channels)."""
        dX, dW, db = ref.backward(dY, X, W, b, cfg)
        out_ch = dY.shape[-1]
        rem = out_ch % 8
        if cfg.groups != 1 or out_ch < 8 or not rem:
            return dX, dW, db
        tail = np.ascontiguousarray(_dZ(ref, dY, X, W, b, cfg)[..., -8:][..., :rem])
        dW = dW.copy()
        dW[..., -rem:] = ref.linear_backward(
            tail, X, np.ascontiguousarray(W[..., -rem:]), cfg, False
        )[1]
        return dX, dW, db

    return None, backward


_register("dW_out_channel_blocks_of_8", "out_ch", ("dW",), _out_channel_blocks_of_8, kind="size")


def _tiles_of_16(layer: str, ref: Any) -> tuple[None, Callable[..., Grads]]:
    def backward(dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: Any, cfg: Any) -> Grads:
        """dX over tiles of 16 along the last spatial axis, each but the last one short."""
        dX, dW, db = ref.backward(dY, X, W, b, cfg)
        tiled = np.zeros_like(dX)
        width = X.shape[-2]
        for start in range(0, width, 16):
            stop = min(start + 16, width)
            end = stop - 1 if stop < width else stop
            tiled[..., start:end, :] = dX[..., start:end, :]
        return tiled, dW, db

    return None, backward


_register("dX_last_axis_tiles_of_16", "size", ("dX",), _tiles_of_16, kind="size")
LONG_REDUCTION = 256  # taps x in-group channels past which a "fast" float32 path is taken


def _long_reduction_in_float32(layer: str, ref: Any) -> tuple[Callable[..., Any], None]:
    def forward(X: np.ndarray, W: np.ndarray, b: Any, cfg: Any) -> np.ndarray:
        taps = int(np.prod(W.shape[:-2]))
        cig = X.shape[-1] // cfg.groups
        if X.dtype != np.float64 or taps * cig <= LONG_REDUCTION:
            return ref.forward(X, W, b, cfg)
        return _in_float32(ref.forward)(X, W, b, cfg)  # type: ignore[return-value]

    return forward, None


_register("long_reduction_in_float32", "dtype", ("Y",), _long_reduction_in_float32, kind="size")

# --- layout -----------------------------------------------------------------------------------


def _as_c_order(X: np.ndarray) -> np.ndarray:
    """X's memory read as if it were C-ordered: right only for C-contiguous (or gapped) X."""
    return X.ravel(order="K").reshape(X.shape)


_register(
    "assumes_c_order",
    "layout",
    ("layout",),
    lambda layer, ref: (
        lambda X, W, b, cfg: ref.forward(_as_c_order(X), W, b, cfg),
        lambda dY, X, W, b, cfg: ref.backward(dY, _as_c_order(X), W, b, cfg),
    ),
    kind="layout",
)

# --- three-way: stride 3 x asymmetric padding x no bias on the first axis ----------------------


def _three_way(layer: str, ref: Any) -> tuple[Callable[..., Any], None]:
    def forward(X: np.ndarray, W: np.ndarray, b: Any, cfg: Any) -> np.ndarray:
        """With stride 3 on the first axis, before != after there and no bias, the two are
        swapped."""
        pad = list(cfg.padding)
        if b is None and cfg.stride[0] == 3 and pad[0] != pad[1]:
            pad[0], pad[1] = pad[1], pad[0]
            return ref.forward(X, W, b, dataclasses.replace(cfg, padding=tuple(pad)))
        return ref.forward(X, W, b, cfg)

    return forward, None


_register(
    "stride3_asymmetric_padding_no_bias",
    "stride",
    ("Y",),
    _three_way,
    kind="three-way",
    grid="full",
)
