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
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from harness.frameworks.layouts import symmetric_part
from harness.loading import Implementation


def is_torch_layer_class(cls: type) -> bool:
    try:
        import torch
    except ImportError:
        return False
    return issubclass(cls, (torch.nn.Module, torch.autograd.Function))


class TorchLayerAdapter:
    """forward/backward/supports of the contract over a torch module or Function class."""

    def __init__(self, cls: type) -> None:
        import torch

        self.cls: Any = cls
        self.is_function = issubclass(cls, torch.autograd.Function)
        self.params = {} if self.is_function else inspect.signature(cls).parameters
        self.has_activation = "activation" in self.params

    def supports(self, cfg: Any) -> bool | str:
        if self.is_function:
            return True
        needed = [
            name
            for name, value, default in (
                ("dilation", tuple(cfg.dilation), (1, 1)),
                ("output_padding", tuple(cfg.output_padding), (0, 0)),
                ("groups", cfg.groups, 1),
                ("stride", tuple(cfg.stride), (1, 1)),
            )
            if value != default and name not in self.params
        ]
        if any(cfg.padding) and "padding" not in self.params:
            needed.append("padding")
        if needed:
            return f"{self.cls.__name__} takes no {', '.join(needed)} argument"
        return True

    def _output(self, x: Any, w: Any, b: Any, cfg: Any) -> Any:
        import torch
        import torch.nn.functional as F

        sym, crop = symmetric_part(tuple(cfg.padding))
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
            kwargs: dict[str, Any] = {"bias": b is not None}
            for name, value in (
                ("stride", tuple(cfg.stride)),
                ("padding", sym),
                ("output_padding", tuple(cfg.output_padding)),
                ("groups", cfg.groups),
                ("dilation", tuple(cfg.dilation)),
            ):
                if name in self.params:
                    kwargs[name] = value
            if self.has_activation:
                kwargs["activation"] = cfg.activation
            in_ch, cog, kh, kw = w.shape
            module = self.cls(in_ch, cog * cfg.groups, (kh, kw), **kwargs).to(w.dtype)
            with torch.no_grad():
                module.weight.copy_(w)
                if b is not None:
                    module.bias.copy_(b)
            z = module(x)
            w, b = module.weight, module.bias
        top, bottom, left, right = crop
        z = z[:, :, top : z.shape[2] - bottom, left : z.shape[3] - right]
        if not self.has_activation:
            z = _activation(cfg.activation, z, F)
        return z, w, b

    def _tensors(self, X: np.ndarray, W: np.ndarray, b: np.ndarray | None) -> tuple[Any, Any, Any]:
        import torch

        def leaf(a: np.ndarray) -> Any:
            return torch.from_numpy(np.array(a, order="C", copy=True)).requires_grad_()

        return (
            leaf(X.transpose(0, 3, 1, 2)),
            leaf(W.transpose(2, 3, 0, 1)),
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
        dW = as_np[1].transpose(2, 3, 0, 1).copy()
        return dX, dW, None if b is None else as_np[2].copy()


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


def adapt_torch_class(name: str, cls: type) -> Implementation:
    adapter = TorchLayerAdapter(cls)
    return Implementation(name, adapter.forward, adapter.backward, adapter.supports)
