"""The registry of layer kinds: one package each, `gradgate.cases.NAME`, described as
`gradgate.cases.kind` says.

A kind's package holds everything the engine, the grids, the oracles, the bounds and the reports
need to know about that layer (its maths live in `gradgate.reference_impl.NAME`).  Registering
a kind is its name in `LAYER_KINDS`; packages are imported on first use, so a process that gates
one kind never imports another's grid.
"""

from __future__ import annotations

import importlib
import importlib.metadata
from functools import cache
from typing import cast

from gradgate.cases import registry
from gradgate.cases.kind import REQUIRED, LayerKind

# The registry: gradgate's own kinds are packages gradgate/cases/NAME (over
# gradgate/reference_impl/NAME); an installed package adds one through the `gradgate.layer_kinds`
# entry point group (`name = "package.module"`), with no file of gradgate's edited.
BUILT_IN: dict[str, str] = {
    "deconv2d": "gradgate.cases.deconv2d",
    "conv2d": "gradgate.cases.conv2d",
    "conv1d": "gradgate.cases.conv1d",
    "deconv1d": "gradgate.cases.deconv1d",
    "conv3d": "gradgate.cases.conv3d",
    "deconv3d": "gradgate.cases.deconv3d",
}
ENTRY_POINT_GROUP = "gradgate.layer_kinds"
DEFAULT_LAYER = "deconv2d"


def registered() -> dict[str, str]:
    """Every kind's description module: the built-in ones, then those installed packages add."""
    return registry.registered(BUILT_IN, ENTRY_POINT_GROUP)


LAYER_KINDS: tuple[str, ...] = tuple(registered())


def check_layer_name(name: str) -> str:
    """`name` if it is a registered kind; ValueError naming the allowed ones."""
    if name not in LAYER_KINDS:
        raise ValueError(f"layer must be one of {', '.join(LAYER_KINDS)}, got {name!r}")
    return name


@cache
def layer_kind(name: str = DEFAULT_LAYER) -> LayerKind:
    """The description of layer kind `name`, checked to provide every attribute once."""
    path = registered()[check_layer_name(name)]
    module = importlib.import_module(path)
    missing = [attr for attr in REQUIRED if not hasattr(module, attr)]
    if missing:
        raise TypeError(f"{path} is not a layer kind: it lacks {', '.join(missing)}")
    if name != module.NAME:
        raise TypeError(f"{path} calls itself {module.NAME!r}")
    return cast(LayerKind, module)


def kind_of_case_id(case_id: str) -> str:
    """The layer kind a case id names: its prefix (`conv2d-n2-...`), none for Deconv2D."""
    head = case_id.split("-", 1)[0]
    return head if head in LAYER_KINDS else DEFAULT_LAYER
