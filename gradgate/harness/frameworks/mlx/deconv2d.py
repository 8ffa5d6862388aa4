"""MLX: `mlx.core.conv_transpose2d`, backward by `mlx.core.vjp`, on MLX's CPU device.

Layout NHWC, weight (out, kh, kw, in / groups) (MLX's own), so W (kh, kw, in, out / groups)
becomes (out, kh, kw, in / groups): group j's input channels j*in/g.. and its output channels
j*out/g.. (`mlx_weight`; with groups = 1 a plain transpose).  Padding is symmetric in MLX, so
asymmetric padding is its symmetric part plus a crop of the rest (the same map).  Activations
are mlx.nn's.  Groups are gated like every other factor: MLX 0.32's `conv_transpose2d` takes
them and computes them (its docstring's "Only the default groups=1 is currently supported" is
stale; tests/frameworks/test_mlx_finding.py calls MLX directly with groups).  float64 arrays are
made with an explicit dtype (`mx.array` of a float64 numpy array gives float32); MLX then
refuses float64 convolutions with a stride or dilation > 1, which are `errored`, since
`supports(cfg)` does not see the dtype (see docs/findings/mlx.md).  The functions are
`gradgate.harness.frameworks.mlx.ops`'s, shared with every kind.
"""

from __future__ import annotations

from gradgate.harness.frameworks.mlx.ops import TRANSPOSED, gradgate_weight, mlx_weight

forward, backward, supports = TRANSPOSED.forward, TRANSPOSED.backward, TRANSPOSED.supports
jvp, double_backward = TRANSPOSED.jvp, TRANSPOSED.double_backward

__all__ = ["backward", "forward", "gradgate_weight", "mlx_weight", "supports"]
