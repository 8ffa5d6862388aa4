"""Pictures of where a failing case's error is, drawn with matplotlib (Agg, no display)."""

from __future__ import annotations

import io

import numpy as np

from harness.result import CaseResult

# Which check to picture first when several failed.
_PREFERENCE = ("torch", "fd")


def _picturable(result: CaseResult) -> tuple[str, np.ndarray] | None:
    failed = [
        (name, c)
        for name, c in result.checks.items()
        if not c.passed and c.error_map is not None and c.error_map.ndim >= 1
    ]
    if not failed:
        return None
    failed.sort(
        key=lambda nc: (
            _PREFERENCE.index(nc[0].split(":")[0]) if nc[0].split(":")[0] in _PREFERENCE else 9,
            nc[0],
        )
    )
    name, check = failed[0]
    assert check.error_map is not None
    return name, np.nan_to_num(check.error_map, nan=np.inf, posinf=np.finfo(float).max)


def error_figure(result: CaseResult) -> bytes | None:
    """A PNG heatmap of |got - expected| for the first failing check, or None if nothing to draw."""
    picked = _picturable(result)
    if picked is None:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    name, err = picked
    quantity = name.split(":")[-1]
    fig, ax = plt.subplots(figsize=(4.8, 3.6), dpi=80)
    if quantity in ("Y", "dX"):
        image = err.max(axis=(0, 3))  # rows x cols, worst over batch and channels
        xlabel, ylabel = "col", "row"
    elif quantity == "dW":
        image = err.max(axis=(2, 3))  # kernel taps, worst over in/out channels
        xlabel, ylabel = "kw", "kh"
    else:
        image = err.reshape(1, -1)
        xlabel, ylabel = "channel", ""
    shown = ax.imshow(image, cmap="magma", interpolation="nearest", aspect="auto")
    fig.colorbar(shown, ax=ax, label="|got - expected|")
    ax.set_title(f"{name}: where the error is", fontsize=9)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()
