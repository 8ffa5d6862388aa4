"""The table both reference benchmarks print: medians of interleaved runs, side by side.

Each repeat runs every contender once, in turn (reference, torch, numpy-ml, reference, ...), so
that load on this shared machine hits all of them alike; the ratios are what to read.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence

import numpy as np
import torch

Contenders = Callable[[tuple, type], dict[str, Callable[[], object]]]


def numpy_ml_layer(class_name: str) -> type | None:
    """numpy-ml's layer class of that name (through gradgate's import shim), or None if absent."""
    try:
        from gradgate.harness.adapters.numpy_ml_compat import ensure_importable

        ensure_importable("numpy_ml")
        from numpy_ml.neural_nets import layers
    except ImportError:
        return None
    return getattr(layers, class_name, None)


def interleaved_medians(fns: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Each contender's median time in ms over `repeats` interleaved runs (after one warm-up)."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for fn in fns.values():
        fn()
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) * 1e3 for name, t in times.items()}


def print_table(
    shapes: Sequence[tuple], contenders: Contenders, repeats: int, torch_name: str
) -> None:
    """One row per shape and dtype: reference, torch, their ratio, and numpy-ml where it runs."""
    print(
        f"numpy {np.__version__}, torch {torch.__version__}, 1 thread, "
        f"median of {repeats} interleaved runs (forward + backward)"
    )
    print(
        f"{'shape':38s} {'dtype':8s} {'reference':>10s} {torch_name:>10s} {'ref/torch':>10s} "
        f"{'numpy-ml':>10s} {'ml/ref':>8s}"
    )
    for shape in shapes:
        for dtype in (np.float64, np.float32):
            med = interleaved_medians(contenders(shape, dtype), repeats)
            ml = med.get("numpy-ml")
            print(
                f"{shape[0]:38s} {np.dtype(dtype).name:8s} {med['reference']:9.2f}ms "
                f"{med[torch_name]:9.2f}ms {med['reference'] / med[torch_name]:9.2f}x "
                + (f"{ml:9.1f}ms {ml / med['reference']:7.1f}x" if ml else f"{'-':>10s}")
            )
