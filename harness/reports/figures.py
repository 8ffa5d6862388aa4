"""Pictures of where a failing case's error is, drawn with matplotlib (Agg, no display).

One panel per failing quantity (from the torch oracle when it failed, else fd): |got - expected|
over rows x cols for Y and dX (worst over batch and channels), over kernel taps for dW (worst
over channels), per channel for db.
"""

from __future__ import annotations

import io

import numpy as np

from harness.comparison import Check
from harness.result import CaseResult

QUANTITIES = ("Y", "dX", "dW", "db")
ORACLE_PREFERENCE = ("torch", "fd")


def failing_maps(result: CaseResult) -> list[tuple[str, Check]]:
    """For each quantity, the failing check to picture, in Y, dX, dW, db order."""
    picked = []
    for quantity in QUANTITIES:
        for oracle in ORACLE_PREFERENCE:
            check = result.checks.get(f"{oracle}:{quantity}")
            if check is not None and not check.passed and check.error_map is not None:
                picked.append((f"{oracle}:{quantity}", check))
                break
    return picked


def _image(quantity: str, err: np.ndarray) -> tuple[np.ndarray, str, str]:
    if quantity in ("Y", "dX"):
        return err.max(axis=(0, 3)), "col", "row"
    if quantity == "dW":
        return err.max(axis=(2, 3)), "kw", "kh"
    return err.reshape(1, -1), "channel", ""


def error_figure(result: CaseResult) -> bytes | None:
    """A PNG with one heatmap per failing quantity, or None if there is nothing to draw."""
    panels = failing_maps(result)
    if not panels:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    fig, axes = plt.subplots(
        1, len(panels), figsize=(3.6 * len(panels), 3.2), dpi=80, squeeze=False
    )
    for ax, (name, check) in zip(axes[0], panels):
        assert check.error_map is not None
        err = np.nan_to_num(check.error_map, nan=np.finfo(float).max, posinf=np.finfo(float).max)
        image, xlabel, ylabel = _image(name.split(":")[1], err)
        shown = ax.imshow(image, cmap="magma", interpolation="nearest", aspect="auto")
        fig.colorbar(shown, ax=ax, label="|got - expected|")
        ax.set_title(f"{name} ({check.n_off} of {check.n_checked} off)", fontsize=9)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        if not ylabel:
            ax.set_yticks([])
    fig.suptitle(result.id, fontsize=8)
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()
