"""A bank of deliberately bugged Deconv2D implementations, to prove the oracles catch bugs.

Each bug is a plausible mistake, named for what it gets wrong, tagged with the grid factor it
concerns and the outputs it corrupts.  `backward_only` bugs keep the forward exact, so the
self-consistency oracles (fd, adjoint) must catch them on their own; the others change the
forward, and a consistent backward may hide them from everything but the torch oracle.
Every bug is loadable as an implementation: ``--impl
tests.kinds.deconv2d.bugged_impls:flipped_kernel``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

import gradgate.reference_impl as ref
from gradgate.reference_impl.activations import activate
from gradgate.reference_impl.deconv2d.config import DeconvConfig

Grads = tuple[np.ndarray, np.ndarray, "np.ndarray | None"]


@dataclass(frozen=True)
class Bug:
    name: str
    factor: str
    outputs: tuple[str, ...]
    backward_only: bool
    forward: Callable[..., np.ndarray]
    backward: Callable[..., Grads]


BUGS: dict[str, Bug] = {}


def _register(
    name: str,
    factor: str,
    outputs: tuple[str, ...],
    backward_only: bool,
    forward: Callable[..., np.ndarray] = ref.forward,
    backward: Callable[..., Grads] = ref.backward,
) -> None:
    BUGS[name] = Bug(name, factor, outputs, backward_only, forward, backward)
    globals()[name] = BUGS[name]


def _with(cfg: DeconvConfig, **changes: object) -> DeconvConfig:
    return dataclasses.replace(cfg, **changes)


# --- forward-semantics bugs with a consistent backward: only the torch oracle sees them -------


def _flip(W: np.ndarray) -> np.ndarray:
    return W[::-1, ::-1].copy()


_register(
    "flipped_kernel",
    "kh",
    ("Y", "dX", "dW"),
    False,
    lambda X, W, b, cfg: ref.forward(X, _flip(W), b, cfg),
    lambda dY, X, W, b, cfg: (lambda g: (g[0], _flip(g[1]), g[2]))(
        ref.backward(dY, X, _flip(W), b, cfg)
    ),
)
_register(
    "kernel_width_flipped",
    "kw",
    ("Y", "dX", "dW"),
    False,
    lambda X, W, b, cfg: ref.forward(X, W[:, ::-1].copy(), b, cfg),
    lambda dY, X, W, b, cfg: (lambda g: (g[0], g[1][:, ::-1].copy(), g[2]))(
        ref.backward(dY, X, W[:, ::-1].copy(), b, cfg)
    ),
)


def _swap_padding(cfg: DeconvConfig) -> DeconvConfig:
    t, bt, left, r = cfg.padding
    return _with(cfg, padding=(bt, t, r, left))


_register(
    "asymmetric_padding_swapped",
    "padding",
    ("Y", "dX", "dW"),
    False,
    lambda X, W, b, cfg: ref.forward(X, W, b, _swap_padding(cfg)),
    lambda dY, X, W, b, cfg: ref.backward(dY, X, W, b, _swap_padding(cfg)),
)


def _swap_stride(cfg: DeconvConfig) -> DeconvConfig:
    return _with(cfg, stride=cfg.stride[::-1], output_padding=(0, 0))


def _fit(Y: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Y cropped or zero-padded at the bottom/right to `shape`."""
    out = np.zeros(shape, dtype=Y.dtype)
    h, w = min(Y.shape[1], shape[1]), min(Y.shape[2], shape[2])
    out[:, :h, :w] = Y[:, :h, :w]
    return out


def _register_geometry_bug(
    name: str, factor: str, outputs: tuple[str, ...], wrong: Callable[[DeconvConfig], DeconvConfig]
) -> None:
    """A layer computed with a wrong configuration, its output fitted to the right shape; the
    backward is that of the same wrong computation, so the layer is self-consistent."""

    def forward(
        X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: DeconvConfig
    ) -> np.ndarray:
        return _fit(ref.forward(X, W, b, wrong(cfg)), ref.output_shape(X.shape, W.shape, cfg))

    def backward(
        dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: DeconvConfig
    ) -> Grads:
        inner = ref.output_shape(X.shape, W.shape, wrong(cfg))
        return ref.backward(_fit(dY, inner), X, W, b, wrong(cfg))

    _register(name, factor, outputs, False, forward, backward)


def _no_output_padding(cfg: DeconvConfig) -> DeconvConfig:
    """Output padding dropped: the layer then pads the output with zero rows afterwards."""
    t, bt, left, r = cfg.padding
    oh, ow = cfg.output_padding
    return _with(cfg, output_padding=(0, 0), padding=(t, max(bt - oh, 0), left, max(r - ow, 0)))


_register_geometry_bug("stride_swapped", "stride", ("Y", "dX", "dW"), _swap_stride)
_register_geometry_bug("output_padding_as_zeros", "output_padding", ("Y", "db"), _no_output_padding)


def _interleave_out(Y: np.ndarray, groups: int) -> np.ndarray:
    """Channel k*cog + o moved to o*groups + k."""
    n, h, w, c = Y.shape
    return Y.reshape(n, h, w, groups, c // groups).swapaxes(3, 4).reshape(n, h, w, c)


def _deinterleave_out(Y: np.ndarray, groups: int) -> np.ndarray:
    n, h, w, c = Y.shape
    return Y.reshape(n, h, w, c // groups, groups).swapaxes(3, 4).reshape(n, h, w, c)


_register(
    "group_outputs_interleaved",
    "groups",
    ("Y", "dX", "dW", "db"),
    False,
    lambda X, W, b, cfg: _interleave_out(ref.forward(X, W, b, cfg), cfg.groups),
    lambda dY, X, W, b, cfg: ref.backward(_deinterleave_out(dY, cfg.groups), X, W, b, cfg),
)
_register(
    "last_input_row_ignored",
    "in_h",
    ("Y", "dX"),
    False,
    lambda X, W, b, cfg: ref.forward(_zero_last_row(X), W, b, cfg),
    lambda dY, X, W, b, cfg: (lambda g: (_zero_last_row(g[0]), g[1], g[2]))(
        ref.backward(dY, _zero_last_row(X), W, b, cfg)
    ),
)


def _zero_last_row(X: np.ndarray) -> np.ndarray:
    out = X.copy()
    if X.shape[1] > 1:
        out[:, -1] = 0
    return out


def _bias_from_channel_zero(
    X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: DeconvConfig
) -> np.ndarray:
    b0 = None if b is None else np.full_like(b, b[0])
    return ref.forward(X, W, b0, cfg)


def _bias_from_channel_zero_backward(
    dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: DeconvConfig
) -> Grads:
    b0 = None if b is None else np.full_like(b, b[0])
    dX, dW, db = ref.backward(dY, X, W, b0, cfg)
    if db is not None:
        db = np.concatenate([[db.sum()], np.zeros(len(db) - 1, dtype=db.dtype)]).astype(db.dtype)
    return dX, dW, db


_register(
    "bias_from_channel_zero",
    "out_ch",
    ("Y", "db"),
    False,
    _bias_from_channel_zero,
    _bias_from_channel_zero_backward,
)


def _in_float32(fn: Callable[..., object]) -> Callable[..., object]:
    def run(*arrays_and_cfg: object) -> object:
        *arrays, cfg = arrays_and_cfg
        dtype = next(a.dtype for a in arrays if isinstance(a, np.ndarray))
        cast = [a.astype(np.float32) if isinstance(a, np.ndarray) else a for a in arrays]
        out = fn(*cast, cfg)
        if isinstance(out, tuple):
            return tuple(None if o is None else o.astype(dtype) for o in out)
        return out.astype(dtype)  # type: ignore[attr-defined]

    return run


_register(
    "float32_inside",
    "dtype",
    ("Y", "dX", "dW", "db"),
    False,
    _in_float32(ref.forward),
    _in_float32(ref.backward),
)  # type: ignore[arg-type]


# --- backward-only bugs: the forward is exact, so fd and adjoint must catch them alone ---------


def _backward_with(**changes: object) -> Callable[..., Grads]:
    def run(
        dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: DeconvConfig
    ) -> Grads:
        return ref.backward(dY, X, W, b, _with(cfg, **changes))

    return run


def _dilation_ignored(
    dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: DeconvConfig
) -> Grads:
    """Backward with dilation 1, reading the gradient from the top-left of the right shape."""
    plain = _with(cfg, dilation=(1, 1), output_padding=(0, 0))
    inner = ref.output_shape(X.shape, W.shape, plain)
    Z = ref.linear_forward(X, W, b, cfg)
    dZ = dY * _act_grad(cfg.activation, Z)
    return ref.linear_backward(_fit(dZ, inner), X, W, plain, b is not None)


def _act_grad(name: str, Z: np.ndarray) -> np.ndarray:
    from gradgate.reference_impl.activations import activation_grad

    return activation_grad(name, Z, activate(name, Z))


_register(
    "dilation_ignored_in_backward", "dilation", ("dX", "dW", "db"), True, backward=_dilation_ignored
)


def _activation_bug(
    name: str, act: str, wrong: Callable[[np.ndarray, np.ndarray], np.ndarray]
) -> None:
    """A backward that uses a wrong derivative rule for one activation."""

    def backward(
        dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: DeconvConfig
    ) -> Grads:
        Z = ref.linear_forward(X, W, b, cfg)
        Y = activate(cfg.activation, Z)
        grad = wrong(Z, Y) if cfg.activation == act else _act_grad(cfg.activation, Z)
        return ref.linear_backward(dY * grad.astype(Z.dtype), X, W, cfg, b is not None)

    _register(name, "activation", ("dX", "dW", "db"), True, backward=backward)


_activation_bug("tanh_grad_from_Z", "tanh", lambda Z, Y: 1 - Z * Z)
_activation_bug("sigmoid_grad_from_Z", "sigmoid", lambda Z, Y: Z * (1 - Z))
_activation_bug(
    "leaky_relu_slope_0_1_in_backward", "leaky_relu", lambda Z, Y: np.where(Z > 0, 1.0, 0.1)
)
_activation_bug("relu_grad_passes_negatives", "relu", lambda Z, Y: (Y >= 0).astype(Z.dtype))


def _scaled(q: int, fn: Callable[[np.ndarray], None]) -> Callable[..., Grads]:
    def run(
        dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: DeconvConfig
    ) -> Grads:
        grads = list(ref.backward(dY, X, W, b, cfg))
        if grads[q] is not None:
            fn(grads[q])
        return tuple(grads)  # type: ignore[return-value]

    return run


def _scale_last(arr: np.ndarray) -> None:
    arr.reshape(-1)[-1] *= arr.dtype.type(1.1)


def _scale_first_tiny(arr: np.ndarray) -> None:
    arr.reshape(-1)[0] *= 1 + 1e-6


_register("single_dX_entry_1_1x", "in_w", ("dX",), True, backward=_scaled(0, _scale_last))
_register("dW_entry_rel_1e-6", "kw", ("dW",), True, backward=_scaled(1, _scale_first_tiny))


def _db_mean(
    dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: DeconvConfig
) -> Grads:
    dX, dW, db = ref.backward(dY, X, W, b, cfg)
    return dX, dW, None if db is None else db / X.shape[0]


_register("db_mean_over_batch", "bias", ("db",), True, backward=_db_mean)


def _dW_first_image(
    dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: DeconvConfig
) -> Grads:
    dX, dW, db = ref.backward(dY, X, W, b, cfg)
    _, dW0, _ = ref.backward(dY[:1], X[:1], W, b, cfg)
    return dX, dW0, db


_register("dW_first_image_only", "batch", ("dW",), True, backward=_dW_first_image)


def _in_channels_reversed(
    dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: DeconvConfig
) -> Grads:
    dX, dW, db = ref.backward(dY, X, W, b, cfg)
    return dX[..., ::-1].copy(), dW, db


_register("dX_in_channels_reversed", "in_ch", ("dX",), True, backward=_in_channels_reversed)


def _stride_one_rows(
    dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: DeconvConfig
) -> Grads:
    """dW from the gradient at stride 1 on rows, as if the stride had been forgotten."""
    dX, dW, db = ref.backward(dY, X, W, b, cfg)
    if cfg.stride[0] == 1:
        return dX, dW, db
    plain = _with(cfg, stride=(1, cfg.stride[1]), output_padding=(0, cfg.output_padding[1]))
    inner = ref.output_shape(X.shape, W.shape, plain)
    _, dW1, _ = ref.backward(_fit(dY, inner), X, W, b, plain)
    return dX, dW1, db


_register("stride_forgotten_in_dW_rows", "stride", ("dW",), True, backward=_stride_one_rows)
