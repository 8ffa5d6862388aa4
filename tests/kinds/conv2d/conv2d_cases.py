"""Seeded Conv2D cases and their data for the Conv2D reference, oracle and numpy-ml tests.

Cases are the gate's own (`Case(layer="conv2d")`, ids `conv2d-...`), and their arrays are
`gradgate.harness.data.case_data`'s, so these tests and the gate see the same things.
"""

from __future__ import annotations

import numpy as np

from gradgate.cases.case import Case
from gradgate.harness.data import case_data
from gradgate.reference_impl.activations import ACTIVATIONS


def conv2d_case(
    n: int,
    in_ch: int,
    out_ch: int,
    in_hw: tuple[int, int],
    k: tuple[int, int],
    stride: tuple[int, int],
    padding: tuple[int, int, int, int],
    *,
    dilation: tuple[int, int] = (1, 1),
    groups: int = 1,
    activation: str = "identity",
    bias: bool = False,
    dtype: str = "float64",
) -> Case:
    return Case(
        batch=n, in_ch=in_ch, out_ch=out_ch, groups=groups, size=(in_hw[0], in_hw[1]),
        kernel=(k[0], k[1]), stride=stride, padding=padding, dilation=dilation,
        output_padding=(0, 0), bias=bias, activation=activation, dtype=dtype, layer="conv2d",
    )  # fmt: skip


def arrays(case: Case, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray]:
    """X, W, b (or None) and dY in the case's dtype, as the gate draws them for `seed`."""
    data = case_data(case, seed)
    return data.X, data.W, data.b, data.dY


def sample_conv2d_cases(count: int, seed: int) -> list[Case]:
    """Valid configurations covering every feature: stride, asymmetric padding, dilation,
    groups (every fourth one depthwise), bias or not, every activation, float64 and float32."""
    rng = np.random.default_rng(seed)
    out: list[Case] = []
    while len(out) < count:
        i = len(out)
        g = int(rng.integers(1, 4))
        in_ch = g * (1 if i % 4 == 3 else int(rng.integers(1, 4)))  # depthwise: 1 per group
        out_ch = g * int(rng.integers(1, 4))
        s, d = rng.integers(1, 4, size=2), rng.integers(1, 4, size=2)
        k = rng.integers(1, 5, size=2)
        pad = [int(p) for p in rng.integers(0, 4, size=4)]
        span = d * (k - 1) + 1
        base = [int(span[0]) - pad[0] - pad[1], int(span[1]) - pad[2] - pad[3]]
        in_hw = [max(1, b) + int(rng.integers(0, 6)) for b in base]
        out.append(
            conv2d_case(
                int(rng.integers(1, 4)),
                in_ch,
                out_ch,
                (in_hw[0], in_hw[1]),
                (int(k[0]), int(k[1])),
                (int(s[0]), int(s[1])),
                (pad[0], pad[1], pad[2], pad[3]),
                dilation=(int(d[0]), int(d[1])),
                groups=g,
                activation=ACTIVATIONS[i % 5],
                bias=bool(rng.integers(0, 2)),
                dtype=("float64", "float32")[(i // 5) % 2],
            )
        )
    return out
