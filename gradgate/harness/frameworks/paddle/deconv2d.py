"""PaddlePaddle: `paddle.nn.functional.conv2d_transpose`, backward by `paddle.grad`.

Layout NCHW (Paddle's default), weight (in, out / groups, kh, kw).  Padding is Paddle's
native explicit [top, bottom, left, right], so asymmetric padding goes in as it is; output
padding, dilation and groups are its own arguments.  Activations are paddle.nn.functional's.
One CPU thread (`paddle.set_num_threads` is absent in some versions: OMP_NUM_THREADS then).
The functions are `gradgate.harness.frameworks.paddle.ops`'s, shared with every kind.
"""

from __future__ import annotations

from gradgate.harness.frameworks.paddle.ops import TRANSPOSED

forward, backward, supports = TRANSPOSED.forward, TRANSPOSED.backward, TRANSPOSED.supports
jvp, double_backward = TRANSPOSED.jvp, TRANSPOSED.double_backward
