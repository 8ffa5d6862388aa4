"""Which dtypes a framework's own op takes, asked of the framework itself.

An adapter's `supports(cfg)` calls `unsupported_dtype(cfg, forward, backward, framework)`: the
first case of each dtype runs the adapter's forward and backward once on the smallest layer
(1x1 kernel, one channel, no stride); if the framework raises, every case of that dtype is
`unsupported`, with the framework's own words.  float64 and float32 are never probed: the
gate's contract requires them, and their failures are findings, not scope.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np

from gradgate.cases.dtypes import numpy_dtype

_ANSWERS: dict[tuple[int, str], str | None] = {}
CONTRACT_DTYPES = ("float64", "float32", "")


def unsupported_dtype(
    cfg: Any, forward: Callable[..., Any], backward: Callable[..., Any], framework: str
) -> str | None:
    """None when the framework's op runs in cfg.dtype, else the reason in its own words."""
    dtype = getattr(cfg, "dtype", "")
    if dtype in CONTRACT_DTYPES:
        return None
    key = (id(forward), dtype)
    if key not in _ANSWERS:
        _ANSWERS[key] = _probe(cfg, forward, backward, framework, dtype)
    return _ANSWERS[key]


def _probe(
    cfg: Any, forward: Callable[..., Any], backward: Callable[..., Any], framework: str, dtype: str
) -> str | None:
    small = dataclasses.replace(
        cfg,
        stride=(1, 1),
        padding=(0, 0, 0, 0),
        dilation=(1, 1),
        groups=1,
        activation="identity",
        **({"output_padding": (0, 0)} if hasattr(cfg, "output_padding") else {}),
    )
    dt = numpy_dtype(dtype)
    X = np.ones((1, 2, 2, 1), dtype=dt)
    W = np.ones((1, 1, 1, 1), dtype=dt)
    try:
        Y = forward(X, W, None, small)
        backward(np.ones_like(Y), X, W, None, small)
    except Exception as exc:  # the framework's refusal, in its words
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return f"{framework} has no CPU {dtype} for this op: {type(exc).__name__}: {first[:300]}"
    return None
