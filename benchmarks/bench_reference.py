"""Reference Deconv2D forward+backward against torch ConvTranspose2d, one thread, one process.

Medians of interleaved runs (reference, torch, numpy-ml, reference, torch, ...), so that load
on this shared machine hits all contenders alike.  Prints the ratio reference / torch per
shape and dtype.  Usage: python benchmarks/bench_reference.py [--repeats N]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
from collections.abc import Callable  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from side_by_side import numpy_ml_layer, print_table  # noqa: E402

import gradgate.reference_impl as ref  # noqa: E402

torch.set_num_threads(1)

# (name, batch, in_h, in_w, in_ch, out_ch, kernel, stride, padding)
SHAPES = [
    ("headline n16 32x32 16->16 k3 s2 p1", 16, 32, 32, 16, 16, 3, 2, 1),
    ("n8 16x16 32->64 k4 s2 p1", 8, 16, 16, 32, 64, 4, 2, 1),
    ("n4 64x64 8->8 k5 s1 p2", 4, 64, 64, 8, 8, 5, 1, 2),
]


def contenders(shape: tuple, dtype: type) -> dict[str, Callable[[], object]]:
    _, n, h, w, cin, cout, k, s, p = shape
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, h, w, cin)).astype(dtype)
    W = rng.standard_normal((k, k, cin, cout)).astype(dtype)
    b = rng.standard_normal(cout).astype(dtype)
    cfg = ref.make_config(stride=s, padding=p)
    dY = rng.standard_normal(ref.output_shape(X.shape, W.shape, cfg)).astype(dtype)
    Xt = torch.tensor(X.transpose(0, 3, 1, 2).copy(), requires_grad=True)
    Wt = torch.tensor(W.transpose(2, 3, 0, 1).copy(), requires_grad=True)
    bt = torch.tensor(b, requires_grad=True)
    dYt = torch.tensor(dY.transpose(0, 3, 1, 2).copy())

    def reference() -> object:
        ref.forward(X, W, b, cfg)
        return ref.backward(dY, X, W, b, cfg)

    def torch_autograd() -> object:
        Y = torch.nn.functional.conv_transpose2d(Xt, Wt, bt, stride=s, padding=p)
        return torch.autograd.grad(Y, (Xt, Wt, bt), dYt)

    out = {"reference": reference, "torch": torch_autograd}
    layer_cls = numpy_ml_layer("Deconv2D")
    if layer_cls is not None and dtype is np.float64:
        layer = layer_cls(out_ch=cout, kernel_shape=(k, k), pad=p, stride=s)
        layer.forward(X[:1], retain_derived=False)
        layer.parameters["W"], layer.parameters["b"] = W, b.reshape(1, 1, 1, -1)

        def numpy_ml() -> object:
            layer.flush_gradients()
            layer.forward(X)
            return layer.backward(dY)

        out["numpy-ml"] = numpy_ml
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    print_table(SHAPES, contenders, args.repeats, torch_name="torch")


if __name__ == "__main__":
    main()
