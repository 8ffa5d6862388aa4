"""Adapters that turn layer classes into implementations of the contract."""

from __future__ import annotations

from harness.loading import Implementation, ImplementationError


def adapt_class(name: str, cls: type) -> Implementation:
    """The adapter for a numpy-ml-style layer class or a torch module/Function class."""
    raise ImplementationError(
        f"{name} is a class, but neither a numpy-ml-style layer (forward(X), backward(dLdY), "
        f"parameters) nor a torch nn.Module / autograd.Function"
    )
