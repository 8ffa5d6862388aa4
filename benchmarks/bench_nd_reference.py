"""The 1-D and 3-D references' forward+backward against torch's own op in float64, one thread.

One realistic shape per kind (the issue's goal: within 1.5x of torch float64 fwd+bwd); medians of
interleaved runs, so that load on this shared machine hits both alike (`side_by_side.py`).
torch runs in float64 only, on default-strided tensors, as the torch oracle does.
Usage: python benchmarks/bench_nd_reference.py [--repeats N]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import importlib  # noqa: E402
from collections.abc import Callable  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from side_by_side import numpy_ml_layer, print_table  # noqa: E402

from gradgate.cases.axes import channels_first  # noqa: E402
from gradgate.cases.case import parse_case_id  # noqa: E402

torch.set_num_threads(1)

# (name, case id): a realistic layer of each kind, at its real channel counts.
SHAPES = [
    (
        "conv1d HiFi-GAN MRF k3 d3 512x512 L256",
        "conv1d-n4-c512x512-g1-i256-k3-s1-p3.3-d3-b1-identity-f64",
    ),
    (
        "deconv1d HiFi-GAN up k16 s8 512->256",
        "deconv1d-n4-c512x256-g1-i64-k16-s8-p4.4-d1-op0-b1-identity-f64",
    ),
    (
        "conv3d C3D k3 p1 64->128 8x28x28",
        "conv3d-n2-c64x128-g1-i8x28x28-k3x3x3-s1x1x1-p1.1.1.1.1.1-d1x1x1-b1-identity-f64",
    ),
    (
        "deconv3d 3-D U-Net k2 s2 128->64 8^3",
        "deconv3d-n2-c128x64-g1-i8x8x8-k2x2x2-s2x2x2-p0.0.0.0.0.0-d1x1x1-op0x0x0-b1-identity-f64",
    ),
]


def contenders(shape: tuple, dtype: type) -> dict[str, Callable[[], object]]:
    case = parse_case_id(shape[1])
    ref = importlib.import_module(f"gradgate.reference_impl.{case.layer}")
    kind, cfg = case.kind, case.cfg
    rng = np.random.default_rng(0)
    X = rng.standard_normal(case.x_shape).astype(dtype)
    W = rng.standard_normal(case.w_shape).astype(dtype)
    b = rng.standard_normal(case.out_ch).astype(dtype)
    dY = rng.standard_normal(case.y_shape).astype(dtype)
    first = channels_first(X.ndim)

    def leaf(a: np.ndarray) -> torch.Tensor:
        return torch.tensor(np.array(a, dtype=np.float64, order="C"), requires_grad=True)

    Xt, Wt, bt = leaf(X.transpose(first)), leaf(W.transpose(kind.TORCH_W_AXES)), leaf(b)
    dYt = torch.tensor(np.array(dY.transpose(first), dtype=np.float64, order="C"))

    def reference() -> object:
        ref.forward(X, W, b, cfg)
        return ref.backward(dY, X, W, b, cfg)

    def torch_autograd() -> object:
        Y = kind.torch_linear(Xt, Wt, bt, cfg)
        return torch.autograd.grad(Y, (Xt, Wt, bt), dYt)

    out = {"reference": reference, "torch f64": torch_autograd}
    layer_cls = numpy_ml_layer("Conv1D") if case.layer == "conv1d" else None
    if layer_cls is not None and dtype is np.float64:
        p = case.padding[0]
        layer = layer_cls(
            out_ch=case.out_ch,
            kernel_width=case.kernel[0],
            pad=p,
            stride=1,
            dilation=case.dilation[0] - 1,
        )
        layer.forward(X[:1], retain_derived=False)
        layer.parameters["W"], layer.parameters["b"] = W, b.reshape(1, 1, -1)

        def numpy_ml() -> object:
            layer.flush_gradients()
            layer.forward(X)
            return layer.backward(dY)

        out["numpy-ml"] = numpy_ml
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    print_table(SHAPES, contenders, args.repeats, torch_name="torch f64")


if __name__ == "__main__":
    main()
