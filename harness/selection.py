"""The run's options, validated once, and the cases they select (shared by CLI and plugin)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cases.assembly import GRIDS
from cases.case import DTYPES, Case, parse_case_id
from cases.kinds import DEFAULT_LAYER, LAYER_KINDS, kind_of_case_id, layer_kind
from harness.oracles import ORACLES


class UsageError(Exception):
    """A bad option value; the message names the option and what it accepts."""


def split_list(option: str, text: str, allowed: Sequence[str]) -> tuple[str, ...]:
    items = tuple(part.strip() for part in text.split(",") if part.strip())
    if not items:
        raise UsageError(f"{option} needs at least one of {', '.join(allowed)}")
    for item in items:
        if item not in allowed:
            raise UsageError(f"{option} accepts {', '.join(allowed)}; got {item!r}")
    return tuple(dict.fromkeys(items))  # ordered, without repeats


def resolve_layer(layer: str | None, case_ids: Sequence[str]) -> str:
    """--layer as given; else the kind the --case ids name (their prefix); else Deconv2D."""
    if layer is not None:
        if layer not in LAYER_KINDS:
            raise UsageError(f"--layer accepts {', '.join(LAYER_KINDS)}; got {layer!r}")
        return layer
    kinds = list(dict.fromkeys(kind_of_case_id(i) for i in case_ids))
    if len(kinds) > 1:
        raise UsageError(
            f"--case ids name several layer kinds ({', '.join(kinds)}); run each alone"
        )
    return kinds[0] if kinds else DEFAULT_LAYER


@dataclass(frozen=True)
class GateOptions:
    impl: str = "reference_impl"
    grid: str = "default"
    dtypes: tuple[str, ...] = DTYPES
    oracles: tuple[str, ...] = ORACLES
    seed: int = 0
    case_ids: tuple[str, ...] = ()
    timeout: float | None = None
    report_dir: Path | None = None
    baseline: Path | None = None
    layer: str = DEFAULT_LAYER

    def __post_init__(self) -> None:
        if self.layer not in LAYER_KINDS:
            raise UsageError(f"--layer accepts {', '.join(LAYER_KINDS)}; got {self.layer!r}")
        if self.grid not in GRIDS:
            raise UsageError(f"--grid accepts {', '.join(GRIDS)}; got {self.grid!r}")
        if self.timeout is not None and not self.timeout > 0:
            raise UsageError(f"--timeout must be a positive number of seconds, got {self.timeout}")
        if self.seed < 0:
            raise UsageError(f"--seed must be >= 0, got {self.seed}")

    @classmethod
    def from_strings(
        cls,
        *,
        impl: str | None,
        grid: str,
        dtypes: str,
        oracles: str,
        seed: int,
        case_ids: Sequence[str],
        timeout: float | None,
        report_dir: str | None,
        baseline: str | None,
        layer: str | None = None,
    ) -> GateOptions:
        kind = resolve_layer(layer, case_ids)
        return cls(
            impl=impl or layer_kind(kind).REFERENCE,
            layer=kind,
            grid=grid,
            dtypes=split_list("--dtype", dtypes, DTYPES),
            oracles=split_list("--oracles", oracles, ORACLES),
            seed=seed,
            case_ids=tuple(case_ids),
            timeout=timeout,
            report_dir=Path(report_dir) if report_dir else None,
            baseline=Path(baseline) if baseline else None,
        )

    def cases(self) -> list[Case]:
        """The named cases (any valid id, in or out of the grid), else the grid in the dtypes."""
        if self.case_ids:
            out = []
            for case_id in dict.fromkeys(self.case_ids):
                try:
                    case = parse_case_id(case_id)
                except ValueError as exc:
                    raise UsageError(f"--case: {exc}") from None
                if case.layer != self.layer:
                    raise UsageError(
                        f"--case {case_id} is a {case.layer} case, but --layer is {self.layer}"
                    )
                out.append(case)
            return out
        return layer_kind(self.layer).grid_cases(self.grid, self.dtypes)
