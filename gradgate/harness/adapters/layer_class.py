"""Adapter for numpy-ml-style layer classes (channels-last numpy).

Recognised by the API: a constructor `(out_ch, kernel_shape, pad, stride, act_fn, ...)`, and
`forward(X)`, `backward(dLdY)`, `parameters` / `gradients` dicts with W (kh, kw, in_ch,
out_ch // groups) and b (1, 1, 1, out_ch).  Each call builds a fresh layer, lets it create its
parameters (`_initialise`), sets W and b to the case's arrays, and reads the gradients back.

Scope, decided from the constructor alone: a feature is `unsupported` only when the class has
no way to express it: no `dilation`, `output_padding` or `groups` parameter means those stay
at their defaults, and a class without `dilation` (numpy-ml's original API) takes one int
stride.  Everything it can express is checked, and wrong or refused results count against it.
Outputs are cast back to the case dtype (a class that computes float32 in float64 is judged on
its numbers, not its dtype).

numpy-ml's own classes (module `numpy_ml...`) take one int stride and one int dilation in
numpy-ml's convention, 0 = none (torch's dilation - 1): cases with different rows and cols
values are `unsupported` there.  The same adapter serves `--layer conv2d` (numpy-ml's
`Conv2D`): W (kh, kw, in_ch, out_ch) is the contract's layout with one group, and `pad` is
passed as the contract's padding, which each layer kind defines.  A 1-D class takes
`kernel_width` instead of `kernel_shape` (numpy-ml's `Conv1D`, for `--layer conv1d`): W (k,
in_ch, out_ch), b (1, 1, out_ch), `pad` (left, right).
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from gradgate.harness.implementation import Implementation

REQUIRED_PARAMETERS = ("out_ch", "pad", "stride", "act_fn")
# The kernel size: a shape (numpy-ml's 2-D layers) or, for a 1-D layer, a width.
KERNEL_PARAMETERS = ("kernel_shape", "kernel_width")
NUMPY_ML_ACTIVATIONS = {
    "identity": None,
    "relu": "relu",
    "leaky_relu": "leaky relu(alpha=0.01)",
    "tanh": "tanh",
    "sigmoid": "sigmoid",
}


def is_layer_class(cls: type) -> bool:
    try:
        params = inspect.signature(cls).parameters
    except (TypeError, ValueError):
        return False
    has_api = all(callable(getattr(cls, m, None)) for m in ("forward", "backward"))
    has_kernel = any(p in params for p in KERNEL_PARAMETERS)
    return has_api and has_kernel and all(p in params for p in REQUIRED_PARAMETERS)


class LayerClassAdapter:
    """forward/backward/supports of the contract over a numpy-ml-style layer class."""

    def __init__(self, cls: type) -> None:
        self.cls = cls
        self.params = inspect.signature(cls).parameters
        # numpy-ml's classes: one int stride, one int dilation counted from 0.
        self.numpy_ml = cls.__module__.split(".")[0] == "numpy_ml"
        self.int_stride = self.numpy_ml or "dilation" not in self.params

    def supports(self, cfg: Any) -> bool | str:
        nd = len(tuple(cfg.stride))
        zeros = (0,) * nd
        missing = [
            name
            for name, value, default in (
                ("dilation", tuple(cfg.dilation), (1,) * nd),
                ("output_padding", tuple(getattr(cfg, "output_padding", zeros)), zeros),
                ("groups", cfg.groups, 1),
            )
            if value != default and name not in self.params
        ]
        if missing:
            return f"{self.cls.__name__} has no {', '.join(missing)} parameter"
        for name in ("stride", "dilation") if self.numpy_ml else ("stride",):
            value = tuple(getattr(cfg, name))
            if self.int_stride and len(set(value)) > 1:
                return f"{self.cls.__name__} takes one int {name}; this case has {value}"
        return True

    def _layer(self, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any) -> Any:
        kernel = W.shape[: X.ndim - 2]
        kwargs: dict[str, Any] = {
            "out_ch": W.shape[-1] * cfg.groups,
            "pad": tuple(cfg.padding),
            "stride": cfg.stride[0] if self.int_stride else tuple(cfg.stride),
            "act_fn": NUMPY_ML_ACTIVATIONS[cfg.activation],
        }
        if "kernel_shape" in self.params:
            kwargs["kernel_shape"] = tuple(kernel)
        else:
            kwargs["kernel_width"] = kernel[0]
        for name in ("dilation", "output_padding", "groups"):
            if name in self.params and hasattr(cfg, name):
                value = getattr(cfg, name)
                kwargs[name] = tuple(value) if isinstance(value, tuple) else value
        if self.numpy_ml and "dilation" in self.params:
            kwargs["dilation"] = cfg.dilation[0] - 1
        layer = self.cls(**kwargs)
        self._initialise(layer, X)
        layer.parameters["W"] = W.copy()
        bias = np.zeros(W.shape[-1] * cfg.groups, X.dtype) if b is None else b
        layer.parameters["b"] = bias.reshape((1,) * (X.ndim - 1) + (-1,)).copy()
        layer.gradients = {name: np.zeros_like(p) for name, p in layer.parameters.items()}
        return layer

    def _initialise(self, layer: Any, X: np.ndarray) -> None:
        """Let a fresh layer create its parameters (then set to the case's W and b).

        numpy-ml's classes do it at the start of their first forward, from X's channels
        (`in_ch = X.shape[-1]; _init_params()`, numpy-ml 0.1.2's Conv1D, Conv2D and Deconv2D
        alike): done here without the forward's convolution, which doubled the cost of every
        call (the fd oracle makes dozens).  Any other class: a first forward on X, its output
        unused (a smaller X could fail or size a buffer differently in a class of its own)."""
        if self.numpy_ml and callable(getattr(layer, "_init_params", None)):
            layer.in_ch = X.shape[-1]
            layer._init_params()
        else:
            layer.forward(X, retain_derived=False)

    def forward(self, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any) -> np.ndarray:
        Y = self._layer(X, W, b, cfg).forward(X.copy(), retain_derived=False)
        return np.asarray(Y).astype(X.dtype, copy=False)

    def backward(
        self, dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        layer = self._layer(X, W, b, cfg)
        layer.forward(X.copy(), retain_derived=True)
        dX = np.asarray(layer.backward(dY.copy())).astype(X.dtype, copy=False)
        dW = np.asarray(layer.gradients["W"]).astype(X.dtype, copy=False)
        db = None if b is None else np.asarray(layer.gradients["b"]).reshape(-1).astype(X.dtype)
        return dX, dW, db


def adapt_layer_class(name: str, cls: type) -> Implementation:
    adapter = LayerClassAdapter(cls)
    return Implementation(name, adapter.forward, adapter.backward, adapter.supports)
