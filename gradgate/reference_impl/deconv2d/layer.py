"""A numpy-ml-style Deconv2D layer: a thin stateful shell over the functional core.

Parameter shapes follow numpy-ml: W (kh, kw, in_ch, out_ch // groups), b (1, 1, 1, out_ch).
Unlike numpy-ml's layer, asymmetric padding is exact, padding may exceed kernel - 1, and a
single dLdY after several retained forwards is an error rather than a silently dropped input.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gradgate.reference_impl.deconv2d.config import make_config
from gradgate.reference_impl.deconv2d.maths import backward, forward
from gradgate.reference_impl.params import IntPair, Padding

_ACTIVATION_ALIASES = {
    "none": "identity",
    "identity": "identity",
    "affine(slope=1, intercept=0)": "identity",
    "relu": "relu",
    "leaky_relu": "leaky_relu",
    "leakyrelu": "leaky_relu",
    "leakyrelu(alpha=0.01)": "leaky_relu",
    "leaky relu(alpha=0.01)": "leaky_relu",
    "tanh": "tanh",
    "sigmoid": "sigmoid",
}
INITIALIZERS = ("glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "std_normal")


def activation_name(act_fn: object) -> str:
    """The contract's activation name for None, a name, or an activation object (by its str)."""
    key = "none" if act_fn is None else str(act_fn).strip().lower()
    if key not in _ACTIVATION_ALIASES:
        raise ValueError(
            f"act_fn must be None or one of identity, relu, leaky_relu (alpha 0.01), tanh, "
            f"sigmoid, got {act_fn!r}"
        )
    return _ACTIVATION_ALIASES[key]


def initial_weights(
    init: str, shape: tuple[int, int, int, int], groups: int, rng: np.random.Generator
) -> np.ndarray:
    """Weights drawn by one of `INITIALIZERS`; fans count the taps one output or input sees."""
    kh, kw, in_ch, cog = shape
    fan_in, fan_out = kh * kw * in_ch // groups, kh * kw * cog
    if init == "glorot_uniform":
        limit = np.sqrt(6 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, size=shape)
    if init == "glorot_normal":
        return rng.normal(0, np.sqrt(2 / (fan_in + fan_out)), size=shape)
    if init == "he_uniform":
        limit = np.sqrt(6 / fan_in)
        return rng.uniform(-limit, limit, size=shape)
    if init == "he_normal":
        return rng.normal(0, np.sqrt(2 / fan_in), size=shape)
    if init == "std_normal":
        return rng.normal(0, 1, size=shape)
    raise ValueError(f"init must be one of {', '.join(INITIALIZERS)}, got {init!r}")


class Deconv2D:
    """Transposed 2-D convolution layer with numpy-ml's API (channels-last X)."""

    def __init__(
        self,
        out_ch: int,
        kernel_shape: tuple[int, int],
        pad: Padding = 0,
        stride: IntPair = 1,
        dilation: IntPair = 1,
        output_padding: IntPair = 0,
        groups: int = 1,
        act_fn: object = None,
        init: str = "glorot_uniform",
        seed: int = 0,
    ) -> None:
        if isinstance(out_ch, bool) or not isinstance(out_ch, int) or out_ch < 1:
            raise ValueError(f"out_ch must be an int >= 1, got {out_ch!r}")
        if len(kernel_shape) != 2 or min(kernel_shape) < 1:
            raise ValueError(f"kernel_shape must be (rows, cols), each >= 1, got {kernel_shape!r}")
        if out_ch % groups:
            raise ValueError(f"groups must divide out_ch = {out_ch}, got groups = {groups}")
        if init not in INITIALIZERS:
            raise ValueError(f"init must be one of {', '.join(INITIALIZERS)}, got {init!r}")
        self.out_ch = out_ch
        self.kernel_shape = (int(kernel_shape[0]), int(kernel_shape[1]))
        self.cfg = make_config(
            stride=stride,
            padding=pad,
            dilation=dilation,
            output_padding=output_padding,
            groups=groups,
            activation=activation_name(act_fn),
        )
        self.init = init
        self.seed = seed
        self.in_ch: int | None = None
        self.trainable = True
        self.parameters: dict[str, np.ndarray] = {}
        self.gradients: dict[str, np.ndarray] = {}
        self.X: list[np.ndarray] = []
        self.is_initialized = False

    def _init_params(self, in_ch: int, dtype: np.dtype) -> None:
        g = self.cfg.groups
        if in_ch % g:
            raise ValueError(f"groups must divide in_ch = {in_ch}, got groups = {g}")
        shape = (*self.kernel_shape, in_ch, self.out_ch // g)
        rng = np.random.default_rng(self.seed)
        W = initial_weights(self.init, shape, g, rng).astype(dtype)
        b = np.zeros((1, 1, 1, self.out_ch), dtype=dtype)
        self.in_ch = in_ch
        self.parameters = {"W": W, "b": b}
        self.gradients = {"W": np.zeros_like(W), "b": np.zeros_like(b)}
        self.is_initialized = True

    @property
    def hyperparameters(self) -> dict[str, Any]:
        cfg = self.cfg
        return {
            "layer": "Deconv2D",
            "out_ch": self.out_ch,
            "in_ch": self.in_ch,
            "kernel_shape": self.kernel_shape,
            "pad": cfg.padding,
            "stride": cfg.stride,
            "dilation": cfg.dilation,
            "output_padding": cfg.output_padding,
            "groups": cfg.groups,
            "act_fn": cfg.activation,
            "init": self.init,
        }

    def forward(self, X: np.ndarray, retain_derived: bool = True) -> np.ndarray:
        """Y (n, out_h, out_w, out_ch) for X (n, in_h, in_w, in_ch)."""
        if X.ndim != 4:
            raise ValueError(f"X must have 4 dims (n, in_h, in_w, in_ch), got ndim {X.ndim}")
        if not self.is_initialized:
            self._init_params(X.shape[3], X.dtype)
        W, b = self.parameters["W"], self.parameters["b"]
        Y = forward(X, W.astype(X.dtype, copy=False), b.reshape(-1).astype(X.dtype), self.cfg)
        if retain_derived:
            self.X.append(X)
        return Y

    def backward(
        self, dLdY: np.ndarray | list[np.ndarray], retain_grads: bool = True
    ) -> np.ndarray | list[np.ndarray]:
        """dL/dX for each retained input; W and b gradients accumulate into `gradients`."""
        if not self.trainable:
            raise RuntimeError("Deconv2D is frozen: call unfreeze() before backward()")
        if not self.X:
            raise RuntimeError("backward() needs a retained forward(X, retain_derived=True) first")
        grads = dLdY if isinstance(dLdY, list) else [dLdY]
        if len(grads) != len(self.X):
            raise ValueError(
                f"dLdY holds {len(grads)} gradient(s) but {len(self.X)} inputs are retained: "
                f"pass a list with one dLdY per retained forward"
            )
        W, b = self.parameters["W"], self.parameters["b"]
        dXs = []
        for dy, x in zip(grads, self.X):
            dx, dw, db = backward(dy, x, W.astype(x.dtype), b.reshape(-1).astype(x.dtype), self.cfg)
            dXs.append(dx)
            if retain_grads:
                assert db is not None
                self.gradients["W"] += dw
                self.gradients["b"] += db.reshape(self.gradients["b"].shape)
        return dXs if isinstance(dLdY, list) else dXs[0]

    def flush_gradients(self) -> None:
        """Zero the accumulated gradients and forget the retained inputs."""
        self.X = []
        for grad in self.gradients.values():
            grad.fill(0)

    def freeze(self) -> None:
        self.trainable = False

    def unfreeze(self) -> None:
        self.trainable = True
