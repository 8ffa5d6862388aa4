"""Adapters that turn layer classes into implementations of the contract."""

from __future__ import annotations

from gradgate.cases.kinds import DEFAULT_LAYER
from gradgate.harness.adapters.layer_class import adapt_layer_class, is_layer_class
from gradgate.harness.adapters.torch_module import adapt_torch_class, is_torch_layer_class
from gradgate.harness.implementation import Implementation, ImplementationError


def adapt_class(name: str, cls: type, layer: str = DEFAULT_LAYER) -> Implementation:
    """The adapter for a torch module/Function class or a numpy-ml-style layer class, as an
    implementation of layer kind `layer`."""
    if is_torch_layer_class(cls):
        return adapt_torch_class(name, cls, layer)
    if is_layer_class(cls):
        return adapt_layer_class(name, cls)
    raise ImplementationError(
        f"{name} is a class, but neither a numpy-ml-style layer (constructor (out_ch, "
        f"kernel_shape, pad, stride, act_fn, ...), forward(X), backward(dLdY)) nor a torch "
        f"nn.Module / autograd.Function"
    )
