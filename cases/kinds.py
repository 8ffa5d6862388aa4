"""The registry of layer kinds: one package each, `cases.NAME`, described as `cases.kind` says.

A kind's package holds everything the engine, the grids, the oracles, the bounds and the reports
need to know about that layer (its maths live in `reference_impl.NAME`).  Registering a kind is
its name in `LAYER_KINDS`; packages are imported on first use, so a process that gates one
kind never imports another's grid.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import cast

from cases.kind import REQUIRED, LayerKind

# The registry: a new kind is a package cases/NAME (and reference_impl/NAME) plus its name here.
LAYER_KINDS: tuple[str, ...] = ("deconv2d", "conv2d")
DEFAULT_LAYER = "deconv2d"


def check_layer_name(name: str) -> str:
    """`name` if it is a registered kind; ValueError naming the allowed ones."""
    if name not in LAYER_KINDS:
        raise ValueError(f"layer must be one of {', '.join(LAYER_KINDS)}, got {name!r}")
    return name


@cache
def layer_kind(name: str = DEFAULT_LAYER) -> LayerKind:
    """The description of layer kind `name`, checked to provide every attribute once."""
    module = importlib.import_module(f"cases.{check_layer_name(name)}")
    missing = [attr for attr in REQUIRED if not hasattr(module, attr)]
    if missing:
        raise TypeError(f"cases.{name} is not a layer kind: it lacks {', '.join(missing)}")
    if name != module.NAME:
        raise TypeError(f"cases.{name} calls itself {module.NAME!r}")
    return cast(LayerKind, module)


def kind_of_case_id(case_id: str) -> str:
    """The layer kind a case id names: its prefix (`conv2d-n2-...`), none for Deconv2D."""
    head = case_id.split("-", 1)[0]
    return head if head in LAYER_KINDS else DEFAULT_LAYER
