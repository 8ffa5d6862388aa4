"""The independent oracles: a registry the engine loops over, one module each.

An oracle module provides

    NAME: str        # the check family, `NAME:Y`, `NAME:dX`, ...
    PHASE: str       # how a crash inside it reads ("died in the fd oracle")
    PICTURED: bool   # whether its failing checks carry error maps the report pictures
    checks(run: OracleRun) -> dict[str, Check]

and optionally

    inconclusive(case: Case) -> str | None   # why it cannot decide this case's precision
    JUDGES: tuple[str, ...]                  # the quantities it checks (default: all)
    judged(got) -> list[str]                 # its check quantities for the results `got`
                                             # (default: those of JUDGES in got)

An oracle that cannot decide says so: the engine then records its checks as `inconclusive`,
with that reason, instead of calling `checks`.

The built-in ones are listed in `BUILT_IN`; an installed package adds one through the
`gradgate.oracles` entry point group (`name = "package.module"`), with no file of gradgate's
edited.  Oracle modules are imported on first use (the torch oracle imports torch).
"""

from __future__ import annotations

import importlib
import importlib.metadata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING, Any

from gradgate.cases import registry

if TYPE_CHECKING:
    import numpy as np

    from gradgate.cases.case import Case
    from gradgate.harness.bounds import Magnitudes
    from gradgate.harness.data import CaseData

BUILT_IN: dict[str, str] = {
    "torch": "gradgate.harness.oracles.torch_autograd",
    "fd": "gradgate.harness.oracles.finite_differences",
    "adjoint": "gradgate.harness.oracles.adjoint",
}
ENTRY_POINT_GROUP = "gradgate.oracles"
REQUIRED = ("NAME", "PHASE", "PICTURED", "checks")


def registered() -> dict[str, str]:
    """Every oracle's module: the built-in ones, then those installed packages add."""
    return registry.registered(BUILT_IN, ENTRY_POINT_GROUP)


ORACLES: tuple[str, ...] = tuple(registered())


@cache
def oracle(name: str) -> ModuleType:
    """The module of oracle `name`, checked to provide what the engine reads."""
    modules = registered()
    if name not in modules:
        raise ValueError(f"oracle must be one of {', '.join(modules)}, got {name!r}")
    module = importlib.import_module(modules[name])
    missing = [attr for attr in REQUIRED if not hasattr(module, attr)]
    if missing or name != module.NAME:
        raise TypeError(f"{modules[name]} is not the {name} oracle: it lacks {missing or ['NAME']}")
    return module


@dataclass(frozen=True)
class OracleRun:
    """What an oracle gets for one case: the case and its data, the implementation's results
    and their element bounds, and the implementation's calls (through the engine, which marks
    the crash phase and turns an exception into an `errored` case)."""

    case: Case
    data: CaseData
    mag: Magnitudes
    u: float  # unit roundoff of the case's dtype
    got: dict[str, np.ndarray]  # Y, dX, dW (and db)
    bounds: dict[str, np.ndarray]  # element bounds of those, at the case's dtype
    forward: Callable[..., np.ndarray]  # forward(X, W, b, cfg, what): checked Y
    scope: Callable[[Any], str | None]  # supports(cfg) as None or a reason
    # backward(X, W, b) at the case's dY: checked {dX, dW(, db)}
    backward: Callable[..., dict[str, np.ndarray]] | None = None
    # double_backward((ddX, ddW, ddb)) at the case's dY, X, W, b: checked {gdY, gX, gW(, gb)}
    double_backward: Callable[..., dict[str, np.ndarray]] | None = None

    @property
    def grads(self) -> dict[str, np.ndarray]:
        """dX, dW (and db): the first derivative's results."""
        return {q: v for q, v in self.got.items() if q in ("dX", "dW", "db")}
