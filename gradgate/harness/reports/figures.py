"""Pictures of where a failing case's error is, drawn with matplotlib (Agg, no display).

One panel per failing quantity (from the first oracle in the registry, of those whose checks are
element maps, that failed on it: torch, else fd): |got - expected|
over rows x cols for Y and dX (worst over batch and channels), over the kernel taps for dW
(worst over channels), per channel for db; whole-number ticks on every axis, one per cell up
to ten cells, so that 1-cell axes get a single tick.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np

from gradgate.cases.axes import SINGULAR, letters
from gradgate.harness.comparison import Check
from gradgate.harness.result import CaseResult

QUANTITIES = ("Y", "dX", "dW", "db")


def _pictured_oracles() -> list[str]:
    """The oracles whose checks carry element error maps, in registry order."""
    from gradgate.harness.oracles import ORACLES, oracle

    return [name for name in ORACLES if oracle(name).PICTURED]


def failing_maps(result: CaseResult) -> list[tuple[str, Check]]:
    """For each quantity, the failing check to picture, in Y, dX, dW, db order."""
    picked = []
    for quantity in QUANTITIES:
        for oracle in _pictured_oracles():
            check = result.checks.get(f"{oracle}:{quantity}")
            if check is not None and not check.passed and check.error_map is not None:
                picked.append((f"{oracle}:{quantity}", check))
                break
    return picked


MAX_TICKS = 10


def _image(quantity: str, err: np.ndarray) -> tuple[np.ndarray, str, str]:
    """A 2-D map of the errors: the last two spatial axes (a 3-D layer's depth and every
    channel and image folded in by their maximum; a 1-D layer's one axis as a single row)."""
    if quantity == "db":
        return err.reshape(1, -1), "channel", ""
    nd = err.ndim - 2
    spatial = err.max(axis=(0, err.ndim - 1)) if quantity in ("Y", "dX") else err.max(axis=(-2, -1))
    while spatial.ndim > 2:
        spatial = spatial.max(axis=0)
    tap = quantity == "dW"
    names = [
        f"kernel tap {word} (k{a})" if tap else word for word, a in zip(SINGULAR[nd], letters(nd))
    ]
    if nd == 1:
        return spatial.reshape(1, -1), names[0], ""
    return spatial, names[-1], names[-2]


def integer_ticks(n: int) -> list[int]:
    """Tick positions for an axis of `n` cells: every cell up to MAX_TICKS, else a round step;
    always whole numbers, so a 1-cell axis gets the single tick 0."""
    step = 1 if n <= MAX_TICKS else -(-n // MAX_TICKS)
    return list(range(0, n, step))


def draw_errors(result: CaseResult) -> Any:
    """A matplotlib Figure with one heatmap per failing quantity, or None if there is none.
    Not registered with pyplot: nothing to close."""
    panels = failing_maps(result)
    if not panels:
        return None
    from matplotlib.figure import Figure  # not pyplot: no global state, no GUI backend

    fig = Figure(figsize=(3.6 * len(panels), 3.2), dpi=80)
    axes = fig.subplots(1, len(panels), squeeze=False)
    for ax, (name, check) in zip(axes[0], panels):
        assert check.error_map is not None
        err = np.nan_to_num(check.error_map, nan=np.finfo(float).max, posinf=np.finfo(float).max)
        image, xlabel, ylabel = _image(name.split(":")[1], err)
        top = float(image.max()) or 1.0  # from 0: a flat map reads as one error, not noise
        shown = ax.imshow(
            image, cmap="magma", interpolation="nearest", aspect="auto", vmin=0.0, vmax=top
        )
        fig.colorbar(shown, ax=ax, label="|got - expected|")
        ax.set_title(f"{name} ({check.n_off} of {check.n_checked} off)", fontsize=9)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_xticks(integer_ticks(image.shape[1]))
        ax.set_yticks(integer_ticks(image.shape[0]) if ylabel else [])
    fig.suptitle(result.id, fontsize=8)
    fig.tight_layout()
    return fig


def error_figure(result: CaseResult) -> bytes | None:
    """A PNG with one heatmap per failing quantity, or None if there is nothing to draw."""
    fig = draw_errors(result)
    if fig is None:
        return None
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
