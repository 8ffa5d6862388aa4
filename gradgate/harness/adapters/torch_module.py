"""Adapter for torch layers: an `nn.Module` class or an `autograd.Function` class.

A module class is built like `nn.ConvTranspose2d`:
`cls(in_channels, out_channels, kernel_size, stride=, padding=, output_padding=, groups=,
dilation=, bias=)` (keywords it lacks stay at their defaults, and cases that need them are
`unsupported`), and must hold `weight` (in, out // groups, kh, kw) and `bias` parameters.
A Function class is called like `F.conv_transpose2d`:
`cls.apply(x, weight, bias, stride, padding, output_padding, groups, dilation)`.

Layouts are translated (channels-last <-> NCHW, W (kh, kw, in, out/g) <-> (in, out/g, kh, kw)),
computation runs in the case dtype, and the backward is autograd's through the layer.  torch's
padding is symmetric, so asymmetric padding is passed as its symmetric part plus a crop of the
rest, which is the same map.  The activation, if the layer has none of its own, is applied
after it with torch's functions.

For `--layer conv2d` the class is built like `nn.Conv2d` (`cls(in_channels, out_channels,
kernel_size, stride=, padding=, dilation=, groups=, bias=)`, `weight` (out, in // groups, kh,
kw)) or called like `F.conv2d` (`cls.apply(x, weight, bias, stride, padding, dilation,
groups)`); the rest of an asymmetric padding is zeros added to the input first (`F.pad`),
which is the same map.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from gradgate.cases.kinds import DEFAULT_LAYER
from gradgate.harness.frameworks.translations import symmetric_part
from gradgate.harness.implementation import Implementation


def is_torch_layer_class(cls: type) -> bool:
    try:
        import torch
    except ImportError:
        return False
    return issubclass(cls, (torch.nn.Module, torch.autograd.Function))


class TorchLayerAdapter:
    """forward/backward/supports of the contract over a torch module or Function class."""

    CONFIG_FIELDS: tuple[str, ...] = ("dilation", "output_padding", "groups", "stride")

    def __init__(self, cls: type) -> None:
        import torch

        self.cls: Any = cls
        self.is_function = issubclass(cls, torch.autograd.Function)
        self.params = {} if self.is_function else inspect.signature(cls).parameters
        self.has_activation = "activation" in self.params

    def supports(self, cfg: Any) -> bool | str:
        if self.is_function:
            return True
        defaults = {"dilation": (1, 1), "output_padding": (0, 0), "groups": 1, "stride": (1, 1)}
        needed = [
            name
            for name in self.CONFIG_FIELDS
            if _value(cfg, name) != defaults[name] and name not in self.params
        ]
        if any(cfg.padding) and "padding" not in self.params:
            needed.append("padding")
        if needed:
            return f"{self.cls.__name__} takes no {', '.join(needed)} argument"
        return True

    def _output(self, x: Any, w: Any, b: Any, cfg: Any) -> Any:
        import torch.nn.functional as F

        sym, crop = symmetric_part(tuple(cfg.padding))
        z, w, b = self._layer_output(x, w, b, cfg, sym, crop)
        if not self.has_activation:
            z = _activation(cfg.activation, z, F)
        return z, w, b

    def _module(
        self,
        in_ch: int,
        out_ch: int,
        kernel: tuple[int, int],
        b: Any,
        cfg: Any,
        sym: tuple[int, int],
    ) -> Any:
        kwargs: dict[str, Any] = {"bias": b is not None}
        for name in ("stride", "padding", *self.CONFIG_FIELDS):
            if name in self.params:
                kwargs[name] = sym if name == "padding" else _value(cfg, name)
        if self.has_activation:
            kwargs["activation"] = cfg.activation
        return self.cls(in_ch, out_ch, kernel, **kwargs)

    def _layer_output(self, x: Any, w: Any, b: Any, cfg: Any, sym: Any, crop: Any) -> Any:
        """(pre-activation output, the weight and bias autograd differentiates)."""

        if self.is_function:
            z = self.cls.apply(
                x,
                w,
                b,
                tuple(cfg.stride),
                sym,
                tuple(cfg.output_padding),
                cfg.groups,
                tuple(cfg.dilation),
            )
        else:
            in_ch, cog, kh, kw = w.shape
            module = self._module(in_ch, cog * cfg.groups, (kh, kw), b, cfg, sym).to(w.dtype)
            z, w, b = _run_module(module, x, w, b)
        top, bottom, left, right = crop
        z = z[:, :, top : z.shape[2] - bottom, left : z.shape[3] - right]
        return z, w, b

    # W (kh, kw, in, out // groups) <-> torch's (in, out // groups, kh, kw)
    W_TO_TORCH = (2, 3, 0, 1)
    W_FROM_TORCH = (2, 3, 0, 1)

    def _tensors(self, X: np.ndarray, W: np.ndarray, b: np.ndarray | None) -> tuple[Any, Any, Any]:
        import torch

        def leaf(a: np.ndarray) -> Any:
            return torch.from_numpy(np.array(a, order="C", copy=True)).requires_grad_()

        return (
            leaf(X.transpose(0, 3, 1, 2)),
            leaf(W.transpose(self.W_TO_TORCH)),
            None if b is None else leaf(b),
        )

    def forward(self, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any) -> np.ndarray:
        import torch

        with torch.no_grad():
            y, _, _ = self._output(*self._tensors(X, W, b), cfg)
        return y.detach().numpy().transpose(0, 2, 3, 1).copy()

    def backward(
        self, dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        import torch

        x, w, bt = self._tensors(X, W, b)
        y, w_used, b_used = self._output(x, w, bt, cfg)
        inputs = [x, w_used] if b is None else [x, w_used, b_used]
        g = torch.from_numpy(np.array(dY.transpose(0, 3, 1, 2), order="C", copy=True))
        grads = torch.autograd.grad(y, inputs, g, allow_unused=True)
        as_np = [
            np.zeros(t.shape, X.dtype) if gr is None else gr.detach().numpy()
            for gr, t in zip(grads, inputs)
        ]
        dX = as_np[0].transpose(0, 2, 3, 1).copy()
        dW = as_np[1].transpose(self.W_FROM_TORCH).copy()
        return dX, dW, None if b is None else as_np[2].copy()


class TorchConv2DAdapter(TorchLayerAdapter):
    """The same over a class built like `nn.Conv2d` or called like `F.conv2d`."""

    CONFIG_FIELDS = ("dilation", "groups", "stride")
    # W (kh, kw, in // groups, out) <-> torch's (out, in // groups, kh, kw)
    W_TO_TORCH = (3, 2, 0, 1)
    W_FROM_TORCH = (2, 3, 1, 0)

    def _layer_output(self, x: Any, w: Any, b: Any, cfg: Any, sym: Any, rest: Any) -> Any:
        import torch.nn.functional as F

        top, bottom, left, right = rest
        if any(rest):
            x = F.pad(x, (left, right, top, bottom))
        if self.is_function:
            z = self.cls.apply(x, w, b, tuple(cfg.stride), sym, tuple(cfg.dilation), cfg.groups)
            return z, w, b
        out_ch, cig, kh, kw = w.shape
        module = self._module(cig * cfg.groups, out_ch, (kh, kw), b, cfg, sym).to(w.dtype)
        return _run_module(module, x, w, b)


def _value(cfg: Any, name: str) -> Any:
    value = getattr(cfg, name)
    return tuple(value) if isinstance(value, (tuple, list)) else value


def _run_module(module: Any, x: Any, w: Any, b: Any) -> tuple[Any, Any, Any]:
    """The module's output on x with its parameters set to w and b, and those parameters."""
    import torch

    with torch.no_grad():
        module.weight.copy_(w)
        if b is not None:
            module.bias.copy_(b)
    return module(x), module.weight, module.bias


def _activation(name: str, z: Any, F: Any) -> Any:
    if name == "relu":
        return F.relu(z)
    if name == "leaky_relu":
        return F.leaky_relu(z, 0.01)
    if name == "tanh":
        return z.tanh()
    if name == "sigmoid":
        return z.sigmoid()
    return z


def adapt_torch_class(name: str, cls: type, layer: str = DEFAULT_LAYER) -> Implementation:
    adapter = TorchConv2DAdapter(cls) if layer == "conv2d" else TorchLayerAdapter(cls)
    return Implementation(name, adapter.forward, adapter.backward, adapter.supports)
