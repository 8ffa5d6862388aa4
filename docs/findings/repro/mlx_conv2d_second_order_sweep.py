"""MLX 0.32 (CPU): the trigger condition of class 5 of docs/findings/mlx.md, by sweep.

An ordinary strided convolution's second order: mx.vjp of the function (gy, x, w) ->
mx.vjp(conv2d)(gy), against PyTorch float64's autograd of its create_graph backward.  One axis
varies (height, n input rows), the other is trivial; float32, MLX's own (symmetric) padding p;
configurations whose first derivative is right.  With r = (n + 2p - dilation * (k - 1) - 1) mod
stride, the rows the last window leaves unread at the end: is the second order wrong (a wrong
shape or values of gy's cotangent, or an error) exactly when r > p, i.e. when rows of the input
itself, not of its padding, are left unread?  Prints the counts and whether the boundary holds;
exits 1 while the defect shows as described, 2 when the condition misses a verdict, 0 once MLX
is right.  Run: python mlx_conv2d_second_order_sweep.py
"""

import itertools
import sys

import mlx.core as mx
import numpy as np
import torch

mx.set_default_device(mx.cpu)
rng = np.random.default_rng(0)


def verdict(n: int, k: int, s: int, d: int, p: int) -> str | None:
    """'ok', what is wrong, or None where PyTorch has no such layer or MLX's first is wrong."""
    x, w = rng.standard_normal((1, n, 2, 1)), rng.standard_normal((1, k, 1, 1))
    kw = {"stride": (s, 1), "padding": (p, 0), "dilation": (d, 1)}
    xt = torch.tensor(x.transpose(0, 3, 1, 2), requires_grad=True)
    wt = torch.tensor(w.transpose(0, 3, 1, 2), requires_grad=True)
    try:
        yt = torch.nn.functional.conv2d(xt, wt, **kw)
    except RuntimeError:
        return None
    gt = torch.tensor(rng.standard_normal(tuple(yt.shape)), requires_grad=True)
    dxt, dwt = torch.autograd.grad(yt, [xt, wt], gt, create_graph=True)
    ddx, ddw = rng.standard_normal(x.shape), rng.standard_normal(w.shape)
    inner = (dxt * torch.tensor(ddx.transpose(0, 3, 1, 2))).sum()
    inner = inner + (dwt * torch.tensor(ddw.transpose(0, 3, 1, 2))).sum()
    want = [
        t.detach().numpy().transpose(0, 2, 3, 1) for t in torch.autograd.grad(inner, [gt, xt, wt])
    ]

    def f(xa: mx.array, wa: mx.array) -> mx.array:
        return mx.conv2d(xa, wa, **kw)

    def backward(gy: mx.array, xa: mx.array, wa: mx.array) -> list[mx.array]:
        return mx.vjp(f, [xa, wa], [gy])[1]

    xa, wa = mx.array(x.astype(np.float32)), mx.array(w.astype(np.float32))
    gy = mx.array(gt.detach().numpy().transpose(0, 2, 3, 1).astype(np.float32))
    try:
        dx, _ = backward(gy, xa, wa)
        mx.eval(dx)
    except Exception:  # noqa: BLE001 - not this class
        return None
    if _off("dx", np.array(dx), dxt.detach().numpy().transpose(0, 2, 3, 1)):
        return None
    cot = [mx.array(ddx.astype(np.float32)), mx.array(ddw.astype(np.float32))]
    try:
        _, found = mx.vjp(backward, [gy, xa, wa], cot)
        mx.eval(*found)
    except Exception:  # noqa: BLE001 - any refusal is a verdict
        return "second order raises"
    for name, got, exp in zip(("gy", "x", "w"), found, want):
        wrong = _off(f"{name}'s cotangent", np.array(got), exp)
        if wrong:
            return wrong
    return "ok"


def _off(name: str, got: np.ndarray, want: np.ndarray) -> str:
    if got.shape != want.shape:
        return f"{name} shape"
    if np.abs(got - want).max() > 1e-4 * (1 + np.abs(want).max()):
        return f"{name} values"
    return ""


seen, wrong, off = 0, {}, []
for n, k, s, d, p in itertools.product(range(1, 8), (1, 2, 3), (1, 2, 3), (1, 2), (0, 1, 2)):
    v = verdict(n, k, s, d, p)
    if v is None:
        continue
    seen += 1
    predicted = (n + 2 * p - d * (k - 1) - 1) % s > p
    if v != "ok":
        wrong[v] = wrong.get(v, 0) + 1
    if (v != "ok") != predicted:
        off.append(((n, k, s, d, p), v, predicted))
print(f"MLX {mx.__version__}: {seen} configurations with a right first derivative")
print(f"second order wrong: {sum(wrong.values())} ({wrong})")
print(
    "condition (n + 2p - d(k-1) - 1) mod stride > p predicts every verdict"
    if not off
    else f"the condition misses {len(off)}: {off[:5]}"
)
sys.exit(2 if off else 1 if wrong else 0)
