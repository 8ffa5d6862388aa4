"""Classes that are the contract as they are: forward and backward as static or class methods."""

from __future__ import annotations

from typing import Any

import gradgate.reference_impl as ref


class StaticDeconv:
    forward = staticmethod(ref.forward)
    backward = staticmethod(ref.backward)


class ClassDeconv:
    calls = 0

    @classmethod
    def forward(cls, X: Any, W: Any, b: Any, cfg: Any) -> Any:
        cls.calls += 1
        return ref.forward(X, W, b, cfg)

    @classmethod
    def backward(cls, dY: Any, X: Any, W: Any, b: Any, cfg: Any) -> Any:
        return ref.backward(dY, X, W, b, cfg)

    @staticmethod
    def supports(cfg: Any) -> bool | str:
        return True if cfg.groups == 1 else "groups > 1 is not implemented"


class InstanceMethodsOnly:
    """forward and backward need an instance: not the contract as it is, and no layer class."""

    def forward(self, X: Any, W: Any, b: Any, cfg: Any) -> Any:
        return ref.forward(X, W, b, cfg)

    def backward(self, dY: Any, X: Any, W: Any, b: Any, cfg: Any) -> Any:
        return ref.backward(dY, X, W, b, cfg)


class WrongArity:
    """Static methods, but not the contract's signatures: tried as a layer class, and refused."""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        return x

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return grad
