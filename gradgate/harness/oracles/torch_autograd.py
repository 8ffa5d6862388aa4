"""Oracle 1: the layer kind's own PyTorch op with autograd, in float64.

Generic over kinds: a kind gives its torch op (`torch_linear`, which also turns the contract's
asymmetric padding into what torch offers) and its weight layout (`TORCH_W_AXES`); this module
translates layouts (channels-last <-> NCHW), applies the activation, and differentiates.

Every leaf is copied into a fresh, default-strided (NCHW-contiguous) float64 tensor, never a
view of numpy: torch 2.13.0's `conv2d` backward (float64 or float32) raises "slow_conv2d:
grad_weight must be contiguous" on permuted views in some configurations
(docs/findings/torch-conv2d-float64.md),
and with contiguous leaves the same autograd graph is computed on every configuration.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from gradgate.cases.axes import channels_first, channels_last, letters
from gradgate.cases.case import Case
from gradgate.cases.kind import LayerKind
from gradgate.harness.bounds import UNIT_ROUNDOFF, all_bounds
from gradgate.harness.comparison import Check, compare
from gradgate.harness.data import CaseData
from gradgate.harness.derivative_bounds import higher_bounds
from gradgate.harness.oracles import OracleRun
from gradgate.harness.precision import precision_checks


def torch_activation(name: str, z: torch.Tensor) -> torch.Tensor:
    if name == "identity":
        return z
    if name == "relu":
        return F.relu(z)
    if name == "leaky_relu":
        return F.leaky_relu(z, negative_slope=0.01)
    if name == "tanh":
        return torch.tanh(z)
    if name == "sigmoid":
        return torch.sigmoid(z)
    raise ValueError(f"unknown activation {name!r}")


def _leaf(arr: np.ndarray) -> torch.Tensor:
    """A float64 leaf that owns default (NCHW-contiguous) strides, never a view of numpy."""
    t = torch.tensor(np.array(arr, dtype=np.float64, order="C"))
    return t.contiguous(memory_format=torch.contiguous_format).requires_grad_()


class _Layouts:
    """A kind's contract layouts (channels-last, its weight layout) to torch's and back."""

    def __init__(self, kind: LayerKind, ndim: int) -> None:
        self.kind, self.w_axes = kind, kind.TORCH_W_AXES
        self.first, self.last = channels_first(ndim), channels_last(ndim)

    def leaves(self, X: np.ndarray, W: np.ndarray, b: np.ndarray | None) -> list[torch.Tensor]:
        """X, W (and b) as float64 leaves in torch's layouts."""
        out = [_leaf(X.transpose(self.first)), _leaf(W.transpose(self.w_axes))]
        return out if b is None else [*out, _leaf(b)]

    def layer(self, cfg: Any) -> Any:
        """The layer of (X, W) or (X, W, b), in torch's layouts."""

        def apply(*args: torch.Tensor) -> torch.Tensor:
            b = args[2] if len(args) > 2 else None
            return torch_activation(
                cfg.activation, self.kind.torch_linear(args[0], args[1], b, cfg)
            )

        return apply

    def back_x(self, t: torch.Tensor) -> np.ndarray:
        """An X- or Y-shaped tensor back in the contract's channels-last layout."""
        return t.detach().numpy().transpose(self.last)

    def back(self, ts: list[torch.Tensor]) -> list[np.ndarray]:
        """X-, W- (and b-) shaped tensors back in the contract's layouts."""
        w = ts[1].detach().numpy().transpose(np.argsort(self.w_axes))
        return [self.back_x(ts[0]), w, *(t.detach().numpy() for t in ts[2:])]


def kind_results(
    kind: LayerKind,
    X: np.ndarray,
    W: np.ndarray,
    b: np.ndarray | None,
    dY: np.ndarray,
    cfg: Any,
) -> dict[str, np.ndarray]:
    """Y, dX, dW and (with bias) db of sum(dY * Y) for layer kind `kind`, in the contract's
    layouts, float64, whatever the dtype of the arrays given."""
    to = _Layouts(kind, X.ndim)
    inputs = to.leaves(X, W, b)
    Y = to.layer(cfg)(*inputs)
    expected = tuple(int(Y.shape[i]) for i in to.last)
    if dY.shape != expected:
        names = ", ".join(("n", *(f"out_{a}" for a in letters(X.ndim - 2)), "out_ch"))
        raise ValueError(f"dY must have shape ({names}) = {expected}, got {dY.shape}")
    dYt = torch.tensor(np.array(dY.transpose(to.first), dtype=np.float64, order="C"))
    # The gradients of the scalar sum(dY * Y): Y's gradient is 1 * dY, exactly dY, so this is
    # autograd.grad(Y, inputs, dY) to the bit, without the shape check a grad_outputs tensor
    # sends through torch.fx's symbolic shapes (it imports sympy: 0.3 s in every worker).
    grads = to.back(list(torch.autograd.grad((Y * dYt).sum(), inputs)))
    return {"Y": to.back_x(Y), **dict(zip(("dX", "dW", "db"), grads))}


def kind_jvp(
    kind: LayerKind,
    tangents: tuple[np.ndarray, np.ndarray, np.ndarray | None],
    X: np.ndarray,
    W: np.ndarray,
    b: np.ndarray | None,
    cfg: Any,
) -> dict[str, np.ndarray]:
    """Y and tY, Y's derivative along tangents (tX, tW, tb), by torch's forward mode
    (`torch.func.jvp`), in the contract's layouts, float64."""
    to = _Layouts(kind, X.ndim)
    primals = tuple(t.detach() for t in to.leaves(X, W, b))
    along = tuple(t.detach() for t in to.leaves(*tangents))
    out = torch.func.jvp(to.layer(cfg), primals, along)
    return {"Y": to.back_x(out[0]), "tY": to.back_x(out[1])}


def kind_double_backward(
    kind: LayerKind,
    cotangents: tuple[np.ndarray, np.ndarray, np.ndarray | None],
    dY: np.ndarray,
    X: np.ndarray,
    W: np.ndarray,
    b: np.ndarray | None,
    cfg: Any,
) -> dict[str, np.ndarray]:
    """gdY, gX, gW and (with bias) gb: the vector-Jacobian product of the backward (dY, X, W, b)
    -> (dX, dW, db) with cotangents (ddX, ddW, ddb), by autograd of torch's create_graph
    backward, in the contract's layouts, float64."""
    to = _Layouts(kind, X.ndim)
    leaves = to.leaves(X, W, b)
    dYt = _leaf(dY.transpose(to.first))
    grads = torch.autograd.grad((to.layer(cfg)(*leaves) * dYt).sum(), leaves, create_graph=True)
    given = [t.detach() for t in to.leaves(*cotangents)]
    inner = torch.stack([(g * c).sum() for g, c in zip(grads, given)]).sum()
    found = torch.autograd.grad(inner, [dYt, *leaves], allow_unused=True)
    second = [torch.zeros_like(t) if s is None else s for s, t in zip(found, [dYt, *leaves])]
    back = to.back(second[1:])
    out = {"gdY": to.back_x(second[0]), "gX": back[0], "gW": back[1]}
    if b is not None:
        out["gb"] = back[2]
    return out


def torch_results(case: Case, data: CaseData) -> dict[str, np.ndarray]:
    """The torch oracle's results on a case's data."""
    return kind_results(case.kind, data.X, data.W, data.b, data.dY, case.cfg)


NAME = "torch"
PHASE = "the torch oracle (PyTorch float64 autograd, not the implementation)"
PICTURED = True


def checks(run: OracleRun) -> dict[str, Check]:
    """The oracle: every element against torch float64, within the case dtype's bound plus
    float64's (the oracle's own rounding); and, on the same values, the aggregate precision of
    each quantity (`precision:*`, gradgate/harness/precision.py).  With forward mode or the
    second order asked for, jY, gdY, gX, gW and gb likewise, against torch's own."""
    case, data = run.case, run.data
    expected = torch_results(case, data)
    u64 = UNIT_ROUNDOFF["float64"]
    bounds64 = all_bounds(case, data, run.mag, u64)
    first = dict(expected)
    if "jY" in run.got:
        expected["jY"] = kind_jvp(case.kind, data.tangents, data.X, data.W, data.b, case.cfg)["tY"]
    if "gdY" in run.got:
        expected.update(
            kind_double_backward(
                case.kind, data.cotangents, data.dY, data.X, data.W, data.b, case.cfg
            )
        )
    higher = tuple(q for q in expected if q not in first)
    if higher:
        bounds64.update(higher_bounds(case, data, run.mag, u64, higher))
    out = {
        f"torch:{q}": compare(q, run.got[q], value, run.bounds[q] + bounds64[q])
        for q, value in expected.items()
        if q in run.got
    }
    out.update(precision_checks(case, data, run.mag, run.got, first))
    return out
