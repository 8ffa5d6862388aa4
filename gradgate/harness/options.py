"""Every option of a gate run: declared once for `gradgate run` and the pytest plugin
(`GATE_OPTIONS`: `--grid` and `--gradgate-grid` are one entry), checked once (`resolve`), and the
cases they select.

Importing this module imports nothing heavy: the plugin declares its options in every pytest
session, gating or not; the checks import what they need.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gradgate.cases.case import Case

from gradgate.cases.kinds import DEFAULT_LAYER


class UsageError(Exception):
    """A bad option value; the message names the option and what it accepts."""


ACCUMULATE_CHOICES: tuple[str, ...] = ("float32", "dtype", "float16", "bfloat16")


def split_list(option: str, text: str, allowed: Sequence[str], also: str = "") -> tuple[str, ...]:
    """`text`'s comma-separated items, each one of `allowed` (`also`: a further spelling the
    caller has already expanded, named in the error)."""
    items = tuple(part.strip() for part in text.split(",") if part.strip())
    names = ", ".join(allowed) + (f" or {also}" if also else "")
    if not items:
        raise UsageError(f"{option} needs at least one of {names}")
    for item in items:
        if item not in allowed:
            raise UsageError(f"{option} accepts {names}; got {item!r}")
    return tuple(dict.fromkeys(items))  # ordered, without repeats


def parse_derivatives(text: str, option: str = "--derivatives") -> tuple[str, ...]:
    """--derivatives' comma-separated list, checked: first is always among them."""
    from gradgate.harness.derivatives import DERIVATIVES, check_derivatives

    try:
        return check_derivatives(split_list(option, text, DERIVATIVES), option)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def resolve_layer(layer: str | None, case_ids: Sequence[str]) -> str:
    """--layer as given; else the kind the --case ids name (their prefix); else Deconv2D."""
    from gradgate.cases.kinds import LAYER_KINDS, kind_of_case_id

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
    dtypes: tuple[str, ...] = ("float64", "float32")
    oracles: tuple[str, ...] = ("torch", "fd", "adjoint")
    seed: int = 0
    case_ids: tuple[str, ...] = ()
    timeout: float | None = None
    report_dir: Path | None = None
    baseline: Path | None = None
    layer: str = DEFAULT_LAYER
    input_precision: str = "dtype"  # or "tf32": float32 cases' products on TF32 factors
    accumulate: str = "float32"  # low-precision cases' accumulation: float32 or "dtype"
    derivatives: tuple[str, ...] = ("first",)  # and forward mode, the second order

    def __post_init__(self) -> None:
        from gradgate.cases.assembly import GRIDS
        from gradgate.cases.kinds import LAYER_KINDS

        if self.layer not in LAYER_KINDS:
            raise UsageError(f"--layer accepts {', '.join(LAYER_KINDS)}; got {self.layer!r}")
        if self.grid not in GRIDS:
            raise UsageError(f"--grid accepts {', '.join(GRIDS)}; got {self.grid!r}")
        if self.timeout is not None and not self.timeout > 0:
            raise UsageError(f"--timeout must be a positive number of seconds, got {self.timeout}")
        if self.seed < 0:
            raise UsageError(f"--seed must be >= 0, got {self.seed}")
        if self.input_precision not in ("dtype", "tf32"):
            raise UsageError(
                f"--input-precision accepts dtype or tf32; got {self.input_precision!r}"
            )
        if self.input_precision == "tf32" and "float32" not in self.dtypes:
            raise UsageError(
                "--input-precision tf32 declares float32 cases: add float32 to --dtype"
            )
        if self.accumulate not in ACCUMULATE_CHOICES:
            raise UsageError(
                f"--accumulate accepts {', '.join(ACCUMULATE_CHOICES)}; got {self.accumulate!r}"
            )
        wanted = {"float16": ("float16",), "bfloat16": ("bfloat16",)}.get(
            self.accumulate, ("float16", "bfloat16") if self.accumulate == "dtype" else ()
        )
        if wanted and not set(wanted) & set(self.dtypes):
            raise UsageError(
                f"--accumulate {self.accumulate} declares {' or '.join(wanted)} cases: "
                f"add {wanted[0]} to --dtype"
            )

    def declared(self, case: Case) -> Case:
        """The case with this run's declarations where they apply (TF32 to float32 cases, the
        accumulation to float16 and bfloat16 ones)."""
        inputs = "tf32" if self.input_precision == "tf32" and case.dtype == "float32" else ""
        accumulate = ""
        if case.dtype in ("float16", "bfloat16") and self.accumulate in (case.dtype, "dtype"):
            accumulate = case.dtype
        if not inputs and not accumulate:
            return case
        return case.with_dtype(case.dtype, inputs, accumulate)

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
        input_precision: str = "dtype",
        accumulate: str = "float32",
        derivatives: str = "first",
    ) -> GateOptions:
        from gradgate.cases.case import DTYPES
        from gradgate.cases.kinds import layer_kind
        from gradgate.harness.oracles import ORACLES

        kind = resolve_layer(layer, case_ids)
        return cls(
            impl=impl or layer_kind(kind).REFERENCE,
            layer=kind,
            grid=grid,
            dtypes=split_list(
                "--dtype", ",".join(DTYPES) if dtypes == "all" else dtypes, DTYPES, also="all"
            ),
            oracles=split_list("--oracles", oracles, ORACLES),
            seed=seed,
            case_ids=tuple(case_ids),
            timeout=timeout,
            report_dir=Path(report_dir) if report_dir else None,
            baseline=Path(baseline) if baseline else None,
            input_precision=input_precision,
            accumulate=accumulate,
            derivatives=parse_derivatives(derivatives),
        )

    def cases(self) -> list[Case]:
        """The named cases (any valid id, in or out of the grid), else the grid in the dtypes."""
        from gradgate.cases.case import parse_case_id
        from gradgate.cases.kinds import layer_kind

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
                out.append(self.declared(case))
            return out
        cases = layer_kind(self.layer).grid_cases(self.grid, self.dtypes)
        return [self.declared(c) for c in cases]


@dataclass(frozen=True)
class Option:
    """One option of a gate run: `--NAME` for `gradgate run`, `--gradgate-NAME` for the plugin."""

    name: str
    help: str
    default: Any = None
    type: Callable[[str], Any] | None = None
    action: str | None = None  # "append", "store_true"
    cli_default: Any = None  # when the command's default differs from the plugin's
    cli_dest: str | None = None  # the command's attribute, when not the name's

    @property
    def dest(self) -> str:
        return self.cli_dest or self.name.replace("-", "_")

    @property
    def plugin_dest(self) -> str:
        return "gradgate_" + self.name.replace("-", "_")

    def keywords(self, default: Any) -> dict[str, Any]:
        out: dict[str, Any] = {"help": self.help, "default": default}
        if self.action is not None:
            out["action"] = self.action
        if self.type is not None:
            out["type"] = self.type
        return out


GATE_OPTIONS: tuple[Option, ...] = (
    Option("impl", "implementation under test, MODULE or MODULE:ATTR (default: the reference)"),
    Option(
        "framework",
        "a framework's own layer instead of an implementation "
        "(jax, tensorflow, tinygrad, paddle, mlx, torch; list shows what is installed)",
    ),
    Option(
        "layer",
        "layer kind: deconv2d (default), conv2d, or one a package registers; "
        "without it, the kind the case ids name",
    ),
    Option("grid", "smoke, default or full", default="default"),
    Option(
        "dtype",
        "comma-separated dtypes: float64, float32, float16, bfloat16, or all",
        default="float64,float32",
    ),
    Option(
        "input-precision",
        "dtype (default), or tf32: float32 cases' products may take TF32-rounded factors",
        default="dtype",
    ),
    Option(
        "accumulate",
        "float16/bfloat16 cases' accumulation: float32 (default), or dtype (their own)",
        default="float32",
    ),
    Option("oracles", "comma-separated oracles", default="torch,fd,adjoint"),
    Option(
        "derivatives",
        "comma-separated derivatives to check: first (default, always), forward (jvp), "
        "second (double_backward)",
        default="first",
    ),
    Option("seed", "seed of every case's data", default=0, type=int),
    Option(
        "case", "a case id, in or out of the grid (repeatable)", action="append", cli_dest="cases"
    ),
    Option("timeout", "seconds per case", type=float),
    Option(
        "report-dir",
        "where report.json, summary.md, report.html and junit.xml go",
        cli_default="gradgate-report",
    ),
    Option("baseline", "a previous report.json to compare against"),
    Option(
        "no-diagnosis",
        "do not diagnose the failures at the end",
        action="store_true",
        default=False,
    ),
    Option(
        "diagnosis-seconds",
        "time budget of the minimal failing case search (default 20)",
        type=float,
    ),
)
EXCLUSIVE = ("impl", "framework")  # one or the other


def add_cli_options(parser: argparse.ArgumentParser, names: Sequence[str] | None = None) -> None:
    """Declare GATE_OPTIONS (those `names` picks, for a command that takes fewer) on a parser.

    Every default is None ("not given"): `gradgate.harness.config.settings` then takes the value
    from `[tool.gradgate]`, else the option's default (`CLI_DEFAULTS` for the command)."""
    picked = [o for o in GATE_OPTIONS if names is None or o.name in names]
    exclusive = [o for o in picked if o.name in EXCLUSIVE]
    both = parser.add_mutually_exclusive_group() if len(exclusive) > 1 else parser
    for option in picked:
        where = both if option in exclusive else parser
        where.add_argument(f"--{option.name}", dest=option.dest, **option.keywords(None))


def cli_defaults() -> dict[str, Any]:
    """The command's defaults where they differ from the plugin's (`--report-dir`)."""
    return {o.name: o.cli_default for o in GATE_OPTIONS if o.cli_default is not None}


def add_plugin_options(group: Any) -> None:
    """Declare GATE_OPTIONS on the plugin's option group (`--gradgate-NAME`), defaults None as
    for the command."""
    for option in GATE_OPTIONS:
        group.addoption(
            f"--gradgate-{option.name}", dest=option.plugin_dest, **option.keywords(None)
        )


def resolve(
    values: Mapping[str, Any],
    *,
    prefix: str = "--",
    splits: int | None = None,
    group: int | None = None,
) -> GateOptions:
    """Check every option of a run (by name, as GATE_OPTIONS calls them) and the cases they
    select; UsageError naming the option (`prefix` + name) and what it accepts."""
    from gradgate.harness.frameworks import FrameworkError, framework_module

    impl, framework = values.get("impl"), values.get("framework")
    if impl is not None and framework is not None:
        raise UsageError(f"{prefix}framework and {prefix}impl exclude each other")
    case_ids = values.get("case") or ()
    layer = resolve_layer(values.get("layer"), case_ids)
    if framework is not None:
        try:
            impl = framework_module(framework, layer)
        except FrameworkError as exc:
            raise UsageError(str(exc)) from None
    opts = GateOptions.from_strings(
        impl=impl,
        layer=layer,
        grid=values.get("grid", "default"),
        dtypes=values.get("dtype", "float64,float32"),
        oracles=values.get("oracles", "torch,fd,adjoint"),
        seed=values.get("seed", 0),
        case_ids=case_ids,
        timeout=values.get("timeout"),
        report_dir=values.get("report-dir"),
        baseline=values.get("baseline"),
        input_precision=values.get("input-precision", "dtype"),
        accumulate=values.get("accumulate", "float32"),
        derivatives=values.get("derivatives", "first"),
    )
    if (splits is None) != (group is None):
        raise UsageError("--splits and --group go together")
    if splits is not None and group is not None and not 1 <= group <= splits:
        raise UsageError(f"--group must be in [1, --splits = {splits}], got {group}")
    if opts.baseline is not None:
        _check_baseline(opts.baseline, opts.layer)
    diagnosis_settings(values.get("no-diagnosis", False), values.get("diagnosis-seconds"))
    return opts


def _check_baseline(path: Path, layer: str) -> None:
    from gradgate.harness.reports.report_json import ReportError, read_report

    try:
        base_layer = read_report(path).get("layer", DEFAULT_LAYER)
    except ReportError as exc:
        raise UsageError(f"--baseline: {exc}") from None
    if base_layer != layer:
        raise UsageError(f"--baseline is a {base_layer} report; this run gates {layer}")


def diagnosis_settings(off: bool, seconds: float | None) -> Any:
    """The DiagnosisSettings of --no-diagnosis and --diagnosis-seconds; UsageError if bad."""
    from gradgate.harness.diagnosis import DiagnosisSettings

    try:
        return DiagnosisSettings.from_options(off=off, seconds=seconds)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def plugin_args(values: Mapping[str, Any]) -> list[str]:
    """The plugin's command line for the same options (`--gradgate-NAME VALUE ...`)."""
    out: list[str] = []
    for option in GATE_OPTIONS:
        value = values.get(option.name)
        flag = f"--gradgate-{option.name}"
        if option.action == "append":
            for item in value or ():
                out += [flag, str(item)]
        elif option.action == "store_true":
            out += [flag] if value else []
        elif value is not None:
            out += [flag, str(value)]
    return out
