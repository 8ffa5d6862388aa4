"""Forward mode and the second order through torch's own autodiff, for what runs on torch: the
framework's ops (`--framework torch`) and a user's module or `autograd.Function` class
(`gradgate.harness.adapters.torch_module`).

- forward mode: `torch.autograd.forward_ad`'s dual tensors, which run each op's forward-mode
  formula (a custom Function's own `jvp`);
- second order: autograd of a `create_graph=True` backward, with dY a leaf as well.

Where torch does not offer the derivative, `DerivativeUnsupported` says why: a custom Function
without `jvp`, or one whose backward is `@once_differentiable` (torch returns no graph, or a
deferred error, rather than a second derivative), or a backward whose results carry no graph.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch
import torch.autograd.forward_ad as fwAD
from torch.autograd.function import once_differentiable

from gradgate.harness.derivatives import DerivativeUnsupported

# torch's own words when an op or a custom Function has no forward-mode formula.
NO_FORWARD_MODE = (
    "You must implement the jvp function for custom autograd.Function",
    "Trying to use forward AD with",
)
# Every @once_differentiable backward is the same wrapper function around the user's.
_ONCE_DIFFERENTIABLE_CODE = once_differentiable(lambda ctx, *grads: grads).__code__


def is_once_differentiable(function_class: type) -> bool:
    """Whether an autograd.Function's backward is marked @once_differentiable."""
    backward = getattr(function_class, "backward", None)
    return getattr(backward, "__code__", None) is _ONCE_DIFFERENTIABLE_CODE


def jvp(
    fn: Callable[..., torch.Tensor],
    primals: Sequence[torch.Tensor],
    tangents: Sequence[torch.Tensor],
) -> tuple[torch.Tensor, torch.Tensor]:
    """(fn(*primals), its derivative along `tangents`), by torch's forward mode."""
    try:
        with fwAD.dual_level():
            duals = [fwAD.make_dual(p.detach(), t) for p, t in zip(primals, tangents)]
            unpacked = fwAD.unpack_dual(fn(*duals))
            tangent = unpacked.tangent
            primal = unpacked.primal.detach().clone()
            out = torch.zeros_like(primal) if tangent is None else tangent.detach().clone()
    except NotImplementedError as exc:
        if not any(words in str(exc) for words in NO_FORWARD_MODE):
            raise
        raise DerivativeUnsupported(f"torch has no forward mode for it: {exc}") from exc
    return primal, out


def double_backward(
    fn: Callable[..., torch.Tensor],
    primals: Sequence[torch.Tensor],
    dY: torch.Tensor,
    cotangents: Sequence[torch.Tensor],
) -> list[torch.Tensor]:
    """The vector-Jacobian product of fn's backward (dY, *primals) -> grads with cotangents for
    the grads: [gdY, *g of each primal], by autograd of a create_graph backward."""
    leaves = [p.detach().requires_grad_() for p in primals]
    dy = dY.detach().requires_grad_()
    grads = torch.autograd.grad(fn(*leaves), leaves, dy, create_graph=True, allow_unused=True)
    if any(g is not None and type(g.grad_fn).__name__ == "Error" for g in grads):
        # a @once_differentiable backward inside (a module's Function): torch marks its
        # results to raise "trying to differentiate twice", or to give nothing
        raise DerivativeUnsupported(
            "torch has no second order for it: its backward is @once_differentiable (torch "
            "marks its results not to be differentiated again)"
        )
    pairs = [(g, c) for g, c in zip(grads, cotangents) if g is not None and g.requires_grad]
    if not pairs:
        raise DerivativeUnsupported(
            "torch has no second order for it: its backward's results carry no autograd graph "
            "(computed outside autograd, or under no_grad)"
        )
    inner: Any = sum((g * c).sum() for g, c in pairs)
    found = torch.autograd.grad(inner, [dy, *leaves], allow_unused=True)
    return [torch.zeros_like(t) if f is None else f.detach() for f, t in zip(found, [dy, *leaves])]
