"""Seeded Conv2D configurations and data for the Conv2D reference and oracle tests.

Until the layer-kind seam (issue 12) gives Conv2D a case type in cases/, a test case here is
a small frozen record with a readable id.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reference_impl.config import ACTIVATIONS
from harness.layers.conv2d.config import Conv2DConfig


@dataclass(frozen=True)
class Conv2DCase:
    batch: int
    in_ch: int
    out_ch: int
    in_h: int
    in_w: int
    kh: int
    kw: int
    cfg: Conv2DConfig
    bias: bool
    dtype: str

    @property
    def id(self) -> str:
        c = self.cfg
        return (
            f"n{self.batch}-c{self.in_ch}x{self.out_ch}-g{c.groups}-i{self.in_h}x{self.in_w}"
            f"-k{self.kh}x{self.kw}-s{c.stride[0]}x{c.stride[1]}"
            f"-p{'.'.join(map(str, c.padding))}-d{c.dilation[0]}x{c.dilation[1]}"
            f"-b{int(self.bias)}-{c.activation}-{'f64' if self.dtype == 'float64' else 'f32'}"
        )

    def arrays(self, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray]:
        """X, W, b (or None) and dY in the case's dtype, from a stable seed."""
        from harness.layers.conv2d.config import conv2d_output_shape

        rng = np.random.default_rng(seed)
        dt = np.dtype(self.dtype)
        X = rng.standard_normal((self.batch, self.in_h, self.in_w, self.in_ch)).astype(dt)
        W = rng.standard_normal((self.kh, self.kw, self.in_ch // self.cfg.groups, self.out_ch))
        W = W.astype(dt)
        b = rng.standard_normal(self.out_ch).astype(dt) if self.bias else None
        dY = rng.standard_normal(conv2d_output_shape(X.shape, W.shape, self.cfg)).astype(dt)
        return X, W, b, dY


def sample_conv2d_cases(count: int, seed: int) -> list[Conv2DCase]:
    """Valid configurations covering every feature: stride, asymmetric padding, dilation,
    groups (every fourth one depthwise), bias or not, every activation, float64 and float32."""
    rng = np.random.default_rng(seed)
    out: list[Conv2DCase] = []
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
        cfg = Conv2DConfig(
            stride=(int(s[0]), int(s[1])),
            padding=(pad[0], pad[1], pad[2], pad[3]),
            dilation=(int(d[0]), int(d[1])),
            groups=g,
            activation=ACTIVATIONS[i % 5],
        )
        out.append(
            Conv2DCase(
                batch=int(rng.integers(1, 4)),
                in_ch=in_ch,
                out_ch=out_ch,
                in_h=in_hw[0],
                in_w=in_hw[1],
                kh=int(k[0]),
                kw=int(k[1]),
                cfg=cfg,
                bias=bool(rng.integers(0, 2)),
                dtype=("float64", "float32")[(i // 5) % 2],
            )
        )
    return out
