"""Making numpy-ml 0.1.2 importable on Python >= 3.10, visibly.

numpy-ml 0.1.2 (the release on PyPI) does `from collections import Hashable`, an alias that
Python 3.10 removed (it lives in `collections.abc`).  Before importing any `numpy_ml` module the
harness restores that one alias, and says so.
"""

from __future__ import annotations

import collections
import collections.abc

SHIM_NOTE = (
    "numpy-ml 0.1.2 imports collections.Hashable, removed in Python 3.10: gradgate set "
    "collections.Hashable = collections.abc.Hashable so that it can be imported"
)


_applied = False


def ensure_importable(module_name: str) -> str | None:
    """Apply the shim before importing a numpy_ml module; the note to show, if it is needed."""
    global _applied
    if module_name.split(".")[0] != "numpy_ml":
        return None
    if not hasattr(collections, "Hashable"):
        collections.Hashable = collections.abc.Hashable  # type: ignore[attr-defined]
        _applied = True
    return SHIM_NOTE if _applied else None
