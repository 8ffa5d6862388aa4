"""docs/findings/mlx.md, held to MLX as installed: its reproducer still shows the defects, and
MLX takes groups in `conv_transpose2d` and computes them (so the adapter gates grouped cases
instead of calling them unsupported).

MLX is called directly here, without gradgate's adapter: grouped and depthwise transposed
convolutions, forward and vjp, in float32, against torch float64.  Skipped where mlx is not
installed.
"""

from __future__ import annotations

import itertools
import subprocess
import sys

import numpy as np
import pytest

mx = pytest.importorskip("mlx.core")
torch = pytest.importorskip("torch")

pytestmark = pytest.mark.slow  # the framework itself


def _mlx_grouped(x: np.ndarray, w: np.ndarray, g: int, **kw: int) -> tuple[np.ndarray, ...]:
    """MLX's forward and vjp, x NCHW and w torch's (in, out / g, kh, kw), results NCHW."""
    cin, og, kh, kwd = w.shape
    # MLX's weight: (out, kh, kw, in / g), output channel j*og + o reading input j*ig + i
    wm = w.reshape(g, cin // g, og, kh, kwd).transpose(0, 2, 3, 4, 1).reshape(g * og, kh, kwd, -1)
    xa = mx.array(x.transpose(0, 2, 3, 1).astype(np.float32))
    wa = mx.array(wm.astype(np.float32))

    def f(xa: object, wa: object) -> object:
        return mx.conv_transpose2d(xa, wa, groups=g, **kw)

    y = f(xa, wa)
    cot = mx.array(np.ones(y.shape, np.float32))
    _, (dx, dw) = mx.vjp(f, [xa, wa], [cot])
    dwn = np.array(dw).reshape(g, og, kh, kwd, cin // g).transpose(0, 4, 1, 2, 3)
    return (
        np.array(y).transpose(0, 3, 1, 2),
        np.array(dx).transpose(0, 3, 1, 2),
        dwn.reshape(cin, og, kh, kwd),
    )


def _torch_grouped(x: np.ndarray, w: np.ndarray, g: int, **kw: int) -> tuple[np.ndarray, ...]:
    xt = torch.tensor(x, requires_grad=True)
    wt = torch.tensor(w, requires_grad=True)
    y = torch.nn.functional.conv_transpose2d(xt, wt, groups=g, **kw)
    y.backward(torch.ones_like(y))
    assert xt.grad is not None and wt.grad is not None
    return y.detach().numpy(), xt.grad.numpy(), wt.grad.numpy()


# (groups, in / g, out / g) (4, 1, 1 is depthwise), stride, dilation, padding; no output
# padding and no padding past the dilated kernel's reach (MLX's classes 1 and 2, found apart).
CONFIGS = list(
    itertools.product([(2, 1, 1), (2, 2, 3), (3, 2, 1), (4, 1, 1)], [1, 2, 3], [1, 2], [0, 1, 2])
)


def test_mlx_computes_grouped_and_depthwise_transposed_convolutions() -> None:
    mx.set_default_device(mx.cpu)
    rng = np.random.default_rng(0)
    worst = 0.0
    assert len(CONFIGS) == 72
    for (g, ig, og), stride, dilation, padding in CONFIGS:  # kernel 3x3: reach 2 * dilation
        x = rng.standard_normal((2, g * ig, 4, 5))
        w = rng.standard_normal((g * ig, og, 3, 3))
        kw = {"stride": stride, "dilation": dilation, "padding": padding}
        got, want = _mlx_grouped(x, w, g, **kw), _torch_grouped(x, w, g, **kw)
        for name, a, b in zip(("Y", "dX", "dW"), got, want):
            assert a.shape == b.shape, (g, ig, og, kw, name, a.shape, b.shape)
            # float32 products summed: a few units of float32 roundoff of the magnitudes
            scale = np.abs(b).max() + 1.0
            err = float(np.abs(a - b).max() / scale)
            assert err < 1e-5, (g, ig, og, kw, name, err)
            worst = max(worst, err)
    assert worst > 0  # float32 against float64: some rounding is seen, so the check ran


def test_the_adapter_lays_out_grouped_weights_as_mlx_reads_them() -> None:
    from gradgate.harness.frameworks.mlx.deconv2d import gradgate_weight, mlx_weight

    rng = np.random.default_rng(1)
    W = rng.standard_normal((3, 2, 6, 4))  # (kh, kw, in, out / g), g = 3: in / g = 2
    Wm = mlx_weight(W, 3)
    assert Wm.shape == (12, 3, 2, 2)
    # output channel 1 * 4 + 2 (group 1) reads input channel 1 * 2 + 1 through W[..., 3, 2]
    np.testing.assert_array_equal(Wm[6, :, :, 1], W[:, :, 3, 2])
    np.testing.assert_array_equal(gradgate_weight(Wm, 3), W)
    np.testing.assert_array_equal(mlx_weight(W[:, :, :2], 1), W[:, :, :2].transpose(3, 0, 1, 2))


def test_the_reproducer_still_shows_every_class() -> None:
    """Exit 1 while MLX's defects are there; an MLX release that fixes them turns this red."""
    from tests.commands import ROOT

    script = ROOT / "docs" / "findings" / "repro" / "mlx_conv_transpose2d.py"
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 1, (
        f"the reproducer exited {out.returncode}: update docs/findings/mlx.md\n{out.stdout}"
    )
    # classes 1 and 2 in conv_transpose1d/2d/3d, class 1 in conv_general, class 3's two halves
    assert out.stdout.count("BUG") == 9, out.stdout
