"""MLX 0.32 (CPU): the trigger conditions of classes 1 and 2 of docs/findings/mlx.md, by sweep.

Framework only: mlx, numpy, torch.  One axis varies (height), the other is trivial; float32,
MLX's own (symmetric) padding p.  torch float64 gives the expected shapes and values.

- Class 1: output padding op (1 <= op < max(stride, dilation)), p <= dilation * (k - 1): is
  dX of mx.vjp wrong exactly when stride > 1 and op > p?
- Class 2: p > dilation * (k - 1) (up to 3 past it), no output padding: is the call wrong
  (an error, or Y, dX or dW wrong) exactly when stride > 1?

Prints the counts and whether each boundary holds; exits 1 while either class shows (0 once
MLX is right everywhere).  Run: python mlx_conv_transpose2d_sweep.py
"""

import itertools

import mlx.core as mx
import numpy as np
import torch

mx.set_default_device(mx.cpu)
rng = np.random.default_rng(0)


def verdict(n: int, k: int, s: int, d: int, p: int, op: int) -> str | None:
    """'ok', what went wrong, or None where torch itself has no such layer."""
    x, w = rng.standard_normal((1, n, 2, 1)), rng.standard_normal((1, k, 1, 1))
    xt = torch.tensor(x.transpose(0, 3, 1, 2), requires_grad=True)
    wt = torch.tensor(w.transpose(3, 0, 1, 2), requires_grad=True)
    kw = {"stride": (s, 1), "padding": (p, 0), "dilation": (d, 1), "output_padding": (op, 0)}
    try:
        yt = torch.nn.functional.conv_transpose2d(xt, wt, **kw)
    except RuntimeError:
        return None
    if yt.shape[2] < 1:
        return None
    g = rng.standard_normal(tuple(yt.shape))
    yt.backward(torch.tensor(g))

    def f(xa: mx.array, wa: mx.array) -> mx.array:
        return mx.conv_transpose2d(xa, wa, **kw)

    xa, wa = mx.array(x.astype(np.float32)), mx.array(w.astype(np.float32))
    want = {
        "Y": yt.detach().numpy().transpose(0, 2, 3, 1),
        "dX": xt.grad.numpy().transpose(0, 2, 3, 1),
        "dW": wt.grad.numpy().transpose(1, 2, 3, 0),
    }
    try:
        y = f(xa, wa)
        mx.eval(y)
    except Exception as exc:  # noqa: BLE001 - any refusal is a verdict
        return f"forward raises: {str(exc)[:70]}"
    wrong = _off("Y", np.array(y), want["Y"])
    if wrong:
        return wrong
    try:
        cot = mx.array(g.transpose(0, 2, 3, 1).astype(np.float32))
        _, (dx, dw) = mx.vjp(f, [xa, wa], [cot])
        mx.eval(dx, dw)
    except Exception as exc:  # noqa: BLE001
        return f"vjp raises: {str(exc)[:70]}"
    return _off("dX", np.array(dx), want["dX"]) or _off("dW", np.array(dw), want["dW"]) or "ok"


def _off(name: str, got: np.ndarray, want: np.ndarray) -> str:
    if got.shape != want.shape:
        return f"{name} shape"
    if np.abs(got - want).max() > 1e-4 * (1 + np.abs(want).max()):
        return f"{name} values"
    return ""


def sweep(name: str, configs: list[tuple[int, ...]], predicted) -> int:
    """Run the configurations; print the counts; return how many went wrong."""
    seen, wrong, off = 0, {}, []
    for n, k, s, d, p, op in configs:
        v = verdict(n, k, s, d, p, op)
        if v is None:
            continue
        seen += 1
        if v != "ok":
            wrong[v.split(":")[0]] = wrong.get(v.split(":")[0], 0) + 1
        if (v != "ok") != predicted(n, k, s, d, p, op):
            off.append(((n, k, s, d, p, op), v))
    print(f"{name}: {seen} configurations, {sum(wrong.values())} wrong {wrong}")
    print(f"  boundary {'holds' if not off else 'does NOT hold'}: {off[:5]}")
    return sum(wrong.values())


grid = list(itertools.product(range(1, 6), range(1, 4), range(1, 4), range(1, 4)))
class1 = [
    (n, k, s, d, p, op)
    for n, k, s, d in grid
    for op in range(1, max(s, d))
    for p in range(0, d * (k - 1) + 1)
]
class2 = [
    (n, k, s, d, p, 0) for n, k, s, d in grid for p in range(d * (k - 1) + 1, d * (k - 1) + 4)
]
bad = sweep("class 1 (output padding)", class1, lambda n, k, s, d, p, op: s > 1 and op > p)
bad += sweep("class 2 (padding past the kernel)", class2, lambda n, k, s, d, p, op: s > 1)
raise SystemExit(1 if bad else 0)
