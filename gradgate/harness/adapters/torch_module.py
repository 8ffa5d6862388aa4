"""Adapter for torch layers: an `nn.Module` class or an `autograd.Function` class.

A module class is built like `nn.ConvTranspose2d`:
`cls(in_channels, out_channels, kernel_size, stride=, padding=, output_padding=, groups=,
dilation=, bias=)` (keywords it lacks stay at their defaults, and cases that need them are
`unsupported`), and must hold `weight` (in, out // groups, kh, kw) and `bias` parameters.
A Function class is called like `F.conv_transpose2d`:
`cls.apply(x, weight, bias, stride, padding, output_padding, groups, dilation)`.

Layouts are translated (channels-last <-> NCHW, W (kh, kw, in, out/g) <-> (in, out/g, kh, kw);
for every kind its own, `TORCH_W_AXES`),
computation runs in the case dtype, and the backward is autograd's through the layer.  torch's
padding is symmetric, so asymmetric padding is passed as its symmetric part plus a crop of the
rest, which is the same map.  The activation, if the layer has none of its own, is applied
after it with torch's functions.

For `--layer conv2d` the class is built like `nn.Conv2d` (`cls(in_channels, out_channels,
kernel_size, stride=, padding=, dilation=, groups=, bias=)`, `weight` (out, in // groups, kh,
kw)) or called like `F.conv2d` (`cls.apply(x, weight, bias, stride, padding, dilation,
groups)`); the rest of an asymmetric padding is zeros added to the input first (`F.pad`),
which is the same map.  The 1-D and 3-D kinds are built the same way, like `nn.Conv1d`,
`nn.ConvTranspose1d`, `nn.Conv3d`, `nn.ConvTranspose3d` (`F.conv1d`, ... for Functions), with
one value per spatial axis.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from gradgate.cases.axes import channels_first, channels_last
from gradgate.cases.kinds import DEFAULT_LAYER, layer_kind
from gradgate.harness.derivatives import A, B, Second, Tangent
from gradgate.harness.frameworks.translations import crop, symmetric_part
from gradgate.harness.implementation import Implementation


def is_torch_layer_class(cls: type) -> bool:
    try:
        import torch
    except ImportError:
        return False
    return issubclass(cls, (torch.nn.Module, torch.autograd.Function))


class TorchLayerAdapter:
    """forward/backward/supports of the contract over a torch module or Function class, for a
    transposed kind (built like `nn.ConvTranspose1d/2d/3d`) or an ordinary one (like
    `nn.Conv1d/2d/3d`)."""

    def __init__(self, cls: type, layer: str = DEFAULT_LAYER) -> None:
        import torch

        kind = layer_kind(layer)
        self.cls: Any = cls
        self.spatial = kind.SPATIAL
        self.transposed = kind.OUTPUT_PADDING
        self.config_fields: tuple[str, ...] = (
            ("dilation", "output_padding", "groups", "stride")
            if self.transposed
            else ("dilation", "groups", "stride")
        )
        # W in the contract's layout <-> torch's
        self.w_to_torch = tuple(kind.TORCH_W_AXES)
        self.w_from_torch = tuple(int(i) for i in np.argsort(self.w_to_torch))
        self.is_function = issubclass(cls, torch.autograd.Function)
        self.params = {} if self.is_function else inspect.signature(cls).parameters
        self.has_activation = "activation" in self.params

    def supports(self, cfg: Any) -> bool | str:
        if self.is_function:
            return True
        ones, zeros = (1,) * self.spatial, (0,) * self.spatial
        defaults = {"dilation": ones, "output_padding": zeros, "groups": 1, "stride": ones}
        needed = [
            name
            for name in self.config_fields
            if _value(cfg, name) != defaults[name] and name not in self.params
        ]
        if any(cfg.padding) and "padding" not in self.params:
            needed.append("padding")
        if needed:
            return f"{self.cls.__name__} takes no {', '.join(needed)} argument"
        return True

    def _output(self, x: Any, w: Any, b: Any, cfg: Any) -> Any:
        import torch.nn.functional as F

        sym, rest = symmetric_part(tuple(cfg.padding))
        z, w, b = self._layer_output(x, w, b, cfg, sym, rest)
        if not self.has_activation:
            z = _activation(cfg.activation, z, F)
        return z, w, b

    def _module(
        self,
        in_ch: int,
        out_ch: int,
        kernel: tuple[int, ...],
        b: Any,
        cfg: Any,
        sym: tuple[int, ...],
    ) -> Any:
        kwargs: dict[str, Any] = {"bias": b is not None}
        for name in ("stride", "padding", *self.config_fields):
            if name in self.params:
                kwargs[name] = sym if name == "padding" else _value(cfg, name)
        if self.has_activation:
            kwargs["activation"] = cfg.activation
        return self.cls(in_ch, out_ch, kernel, **kwargs)

    def _layer_output(self, x: Any, w: Any, b: Any, cfg: Any, sym: Any, rest: Any) -> Any:
        """(pre-activation output, the weight and bias autograd differentiates).

        Transposed: torch's symmetric padding, then a crop of the rest.  Ordinary: the rest
        added to the input as zeros first (`F.pad`), then torch's symmetric padding.
        """
        import torch.nn.functional as F

        kernel = tuple(w.shape[2:])
        if not self.transposed:
            if any(rest):
                x = F.pad(
                    x, [p for i in reversed(range(self.spatial)) for p in rest[2 * i : 2 * i + 2]]
                )
            if self.is_function:
                z = self.cls.apply(x, w, b, tuple(cfg.stride), sym, tuple(cfg.dilation), cfg.groups)
                return z, w, b
            out_ch, cig = w.shape[:2]
            module = self._module(cig * cfg.groups, out_ch, kernel, b, cfg, sym).to(w.dtype)
            return _run_module(module, x, w, b)
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
            in_ch, cog = w.shape[:2]
            module = self._module(in_ch, cog * cfg.groups, kernel, b, cfg, sym).to(w.dtype)
            z, w, b = _run_module(module, x, w, b)
        return crop(z, rest, h_axis=2), w, b

    def _tensors(self, X: np.ndarray, W: np.ndarray, b: np.ndarray | None) -> tuple[Any, Any, Any]:
        import torch

        def leaf(a: np.ndarray) -> Any:
            return torch.from_numpy(np.array(a, order="C", copy=True)).requires_grad_()

        return (
            leaf(X.transpose(channels_first(X.ndim))),
            leaf(W.transpose(self.w_to_torch)),
            None if b is None else leaf(b),
        )

    def forward(self, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any) -> np.ndarray:
        import torch

        with torch.no_grad():
            y, _, _ = self._output(*self._tensors(X, W, b), cfg)
        return y.detach().numpy().transpose(channels_last(X.ndim)).copy()

    def backward(
        self, dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        import torch

        x, w, bt = self._tensors(X, W, b)
        y, w_used, b_used = self._output(x, w, bt, cfg)
        inputs = [x, w_used] if b is None else [x, w_used, b_used]
        g = torch.from_numpy(np.array(dY.transpose(channels_first(dY.ndim)), order="C", copy=True))
        grads = torch.autograd.grad(y, inputs, g, allow_unused=True)
        as_np = [
            np.zeros(t.shape, X.dtype) if gr is None else gr.detach().numpy()
            for gr, t in zip(grads, inputs)
        ]
        dX = as_np[0].transpose(channels_last(X.ndim)).copy()
        dW = as_np[1].transpose(self.w_from_torch).copy()
        return dX, dW, None if b is None else as_np[2].copy()

    def _layer(self, cfg: Any) -> Any:
        return lambda x, w, b=None: self._output(x, w, b, cfg)[0]

    def jvp(self, tX: A, tW: A, tb: B, X: A, W: A, b: B, cfg: Any) -> Tangent:
        """torch's forward mode through the layer (a Function's own `jvp`)."""
        from gradgate.harness.frameworks import torch_autodiff

        primals = [t for t in self._tensors(X, W, b) if t is not None]
        tangents = [t for t in self._tensors(tX, tW, tb) if t is not None]
        y, ty = torch_autodiff.jvp(self._layer(cfg), primals, tangents)
        last = channels_last(X.ndim)
        return y.numpy().transpose(last).copy(), ty.numpy().transpose(last).copy()

    def double_backward(self, ddX: A, ddW: A, ddb: B, dY: A, X: A, W: A, b: B, cfg: Any) -> Second:
        """Autograd of the layer's create_graph backward; a Function whose backward is
        @once_differentiable has none (`DerivativeUnsupported`)."""
        import torch

        from gradgate.harness.derivatives import DerivativeUnsupported
        from gradgate.harness.frameworks import torch_autodiff

        if self.is_function and torch_autodiff.is_once_differentiable(self.cls):
            raise DerivativeUnsupported(
                f"{self.cls.__name__}.backward is marked @once_differentiable: torch does not "
                "differentiate it again"
            )
        first = channels_first(X.ndim)
        dy = torch.from_numpy(np.array(dY.transpose(first), order="C", copy=True))
        found = torch_autodiff.double_backward(
            self._layer(cfg),
            [t for t in self._tensors(X, W, b) if t is not None],
            dy,
            [t.detach() for t in self._tensors(ddX, ddW, ddb) if t is not None],
        )
        last = channels_last(X.ndim)
        gdY, gX = (found[i].numpy().transpose(last).copy() for i in (0, 1))
        gW = found[2].numpy().transpose(self.w_from_torch).copy()
        return gdY, gX, gW, None if b is None else found[3].numpy().copy()


def _value(cfg: Any, name: str) -> Any:
    value = getattr(cfg, name)
    return tuple(value) if isinstance(value, (tuple, list)) else value


def _run_module(module: Any, x: Any, w: Any, b: Any) -> tuple[Any, Any, Any]:
    """The module's output on x with its parameters w and b (`torch.func.functional_call`, so
    autograd and forward mode see w and b themselves), and those parameters."""
    from torch.func import functional_call

    params = {"weight": w} if b is None else {"weight": w, "bias": b}
    return functional_call(module, params, (x,)), w, b


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
    adapter = TorchLayerAdapter(cls, layer)
    return Implementation(
        name,
        adapter.forward,
        adapter.backward,
        adapter.supports,
        jvp=adapter.jvp,
        double_backward=adapter.double_backward,
    )
