"""`gradgate`: run the gate, list its cases, compare two reports, merge shard reports, explain
a report.

`gradgate run` is a thin front over pytest, pytest-xdist and the gradgate plugin (one engine):
it validates the options, then runs the gate suite in worker processes, so that an
implementation which kills its process takes down only its own case.

Exit status: 0 every case in scope passed and nothing regressed; 1 a case failed or errored,
or a regression was found; 2 a usage error (bad option, implementation that cannot be loaded
or does not follow the contract, unreadable baseline or report).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from gradgate.cases.kinds import DEFAULT_LAYER
from gradgate.harness.options import add_cli_options, diagnosis_settings, plugin_args

if TYPE_CHECKING:
    pass

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
HARNESS_DIR = Path(__file__).resolve().parent


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"gradgate: error: {message}\n")


def _workers(text: str) -> str:
    if text == "auto":
        return text
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(
            f"-n must be 'auto' or a whole number >= 1 (cases run in worker processes), "
            f"got {text!r}"
        )
    return text


def _worker_count(workers: str, n_cases: int) -> str:
    """`auto` is one worker per core, but never more workers than cases (each worker imports
    torch and the implementation: two seconds), and, when the run is started from a
    pytest-xdist worker (a test that runs the gate), the cores that worker's share: the
    session's workers already keep every core busy."""
    if workers != "auto":
        return workers
    cores = os.cpu_count() or 1
    sharing = os.environ.get("PYTEST_XDIST_WORKER_COUNT", "")
    if sharing.isdigit() and int(sharing) > 0:
        cores = cores // int(sharing)
    return str(max(1, min(cores, n_cases)))


def version() -> str:
    """The installed distribution's version (pyproject.toml's, where it is installed)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("gradgate")
    except PackageNotFoundError:
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="gradgate",
        description="Gradient verification gate for hand-written layers (Deconv2D, Conv2D).",
    )
    parser.add_argument("--version", action="version", version=f"gradgate {version()}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = sub.add_parser("run", help="run the grid against an implementation")
    add_cli_options(run)
    run.add_argument(
        "-n",
        dest="workers",
        type=_workers,
        default="auto",
        help="worker processes (>= 1, or auto: one per core, at most one per case)",
    )
    run.add_argument(
        "--splits",
        type=int,
        default=None,
        help="split the cases into this many shards (pytest-split)",
    )
    run.add_argument("--group", type=int, default=None, help="which shard to run, from 1")
    run.add_argument(
        "--show-config",
        action="store_true",
        help="print the settings in force and where each came from, then stop",
    )
    run.add_argument(
        "--durations-path",
        default=None,
        help="pytest-split durations file (default: the committed one)",
    )
    fz = sub.add_parser("fuzz", help="search random valid cases for a failure, shrink it")
    add_cli_options(fz, ("impl", "layer", "seed", "dtype", "oracles", "derivatives"))
    fz.add_argument("--examples", type=int, default=200, help="how many cases to draw")
    cmp = sub.add_parser("compare", help="compare a report with a baseline report")
    cmp.add_argument("base")
    cmp.add_argument("new")
    explain = sub.add_parser("explain", help="diagnose the failures of a report, write it back")
    explain.add_argument("report")
    add_cli_options(explain, ("diagnosis-seconds",))
    config = sub.add_parser(
        "config",
        help="print the settings in force (flags, [tool.gradgate], defaults) and their origin",
    )
    add_cli_options(config)
    listing = sub.add_parser("cases", help="print a grid's case ids, one per line")
    add_cli_options(listing, ("layer", "grid", "dtype"))
    merge = sub.add_parser("merge", help="merge shard reports into one")
    merge.add_argument("reports", nargs="+")
    merge.add_argument("-o", "--output", required=True, help="the merged report.json")
    return parser


def command() -> NoReturn:
    """The `gradgate` command and `python -m gradgate`: `main`, then, in a process started as
    the command, leave at once.

    Every report is written (atomically) and closed when `main` returns; what is left is the
    interpreter's clean-up of whatever the command imported, 0.7 s for torch (an implementation
    checked before its cases run, a framework's op), 1.7 s for TensorFlow
    (gradgate.harness.process_exit).  Run any other way (`python -m cProfile -m gradgate`,
    `coverage run`, `runpy` in a host process) or traced, it ends with `sys.exit`, as does an
    exception or a usage error."""
    from gradgate.harness.process_exit import finish

    status = main()
    if _started_as_the_command():
        finish(status)
    sys.exit(status)


def _started_as_the_command() -> bool:
    """This process was started to run gradgate: its console script, or `python -m gradgate`."""
    argv = list(getattr(sys, "orig_argv", []))
    return argv[1:3] == ["-m", "gradgate"] or (len(argv) > 1 and Path(argv[1]).name == "gradgate")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "run":
        return run(args)
    if args.command == "compare":
        return compare(args.base, args.new)
    if args.command == "fuzz":
        return fuzz(args)
    if args.command == "explain":
        return explain(args.report, args.diagnosis_seconds)
    if args.command == "cases":
        return list_cases(args)
    if args.command == "config":
        return show_config(args)
    return merge(args.reports, args.output)


def settings_of(args: argparse.Namespace, names: tuple[str, ...] | None = None) -> Any:
    """The command's options in force: its flags, else [tool.gradgate], else the defaults."""
    from gradgate.harness.config import settings
    from gradgate.harness.options import GATE_OPTIONS, cli_defaults

    given = {o.name: getattr(args, o.dest, None) for o in GATE_OPTIONS}
    return settings(given, names=names, defaults=cli_defaults())


def show_config(args: argparse.Namespace) -> int:
    """`gradgate config`: each setting in force and where it came from."""
    from gradgate.harness.config import describe, rename_error
    from gradgate.harness.options import UsageError, resolve

    try:
        found = settings_of(args)
        try:
            resolve(found.values)
        except UsageError as exc:
            raise rename_error(exc, found) from None
    except UsageError as exc:
        return _usage(str(exc))
    print(describe(found))
    return EXIT_OK


def list_cases(args: argparse.Namespace) -> int:
    """`gradgate cases`: the ids a run of the same --layer, --grid and --dtype would check."""
    from gradgate.harness.config import rename_error
    from gradgate.harness.options import UsageError, resolve

    try:
        found = settings_of(args, ("layer", "grid", "dtype"))
        try:
            opts = resolve(found.values)
            ids = [case.id for case in opts.cases()]
        except UsageError as exc:
            raise rename_error(exc, found) from None
    except UsageError as exc:
        return _usage(str(exc))
    try:
        print("\n".join(ids), flush=True)
    except BrokenPipeError:  # `gradgate cases | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return EXIT_OK


def _usage(message: str) -> int:
    print(f"gradgate: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def run(args: argparse.Namespace) -> int:
    from gradgate.harness.config import describe, rename_error
    from gradgate.harness.frameworks import framework_listing
    from gradgate.harness.loading import ImplementationError, load_implementation
    from gradgate.harness.options import UsageError, resolve
    from gradgate.harness.reports.report_json import ReportError, read_report

    if args.framework == "list":
        print(framework_listing())
        return EXIT_OK
    try:
        found = settings_of(args)
        values = found.values
        try:
            opts = resolve(values, splits=args.splits, group=args.group)
            selected = opts.cases()
        except UsageError as exc:
            raise rename_error(exc, found) from None
        if args.show_config:
            print(describe(found))
            return EXIT_OK
        for note in load_implementation(opts.impl, opts.layer).notes:
            print(f"gradgate: note: {note}", file=sys.stderr)
    except (UsageError, ImplementationError) as exc:
        return _usage(str(exc))
    values.update(impl=opts.impl, framework=None, layer=opts.layer)

    report_dir = Path(values["report-dir"])
    started = time.time_ns()
    status = _run_pytest(args, values, report_dir, len(selected), found.path)
    report_path = report_dir / "report.json"
    try:
        if not report_path.exists() or report_path.stat().st_mtime_ns < started:
            raise ReportError(f"{report_path} was not written by this run")
        report = read_report(report_path)
    except ReportError as exc:
        print(f"gradgate: no complete report (pytest exit {status}): {exc}", file=sys.stderr)
        return EXIT_USAGE
    if status not in (0, 1) or report["summary"]["total"] == 0:
        print(
            f"gradgate: error: the gate did not run its cases (pytest exit {status}, "
            f"{report['summary']['total']} cases in the report); see pytest's errors above",
            file=sys.stderr,
        )
        return EXIT_USAGE
    s = report["summary"]
    return EXIT_FAILED if s["failed"] or s["errored"] or report.get("regressions") else EXIT_OK


def _run_pytest(
    args: argparse.Namespace,
    values: dict[str, Any],
    report_dir: Path,
    n_cases: int,
    config_file: Path | None,
) -> int:
    import pytest

    from gradgate.harness.config import IGNORE_VARIABLE
    from gradgate.harness.pytest_plugin import QUICK_EXIT_VARIABLE
    from gradgate.harness.reports.writing import JUNIT_PARTIAL

    # Workers import the implementation from the caller's directory (and the configured
    # project's), like the controller; they take every setting from the flags given here.
    os.environ["GRADGATE_NOTES_SHOWN"] = "1"
    os.environ[QUICK_EXIT_VARIABLE] = "1"  # this session holds the gate's cases only
    os.environ[IGNORE_VARIABLE] = "1"
    project = str(config_file.parent) if config_file is not None else ""
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (os.getcwd(), project, os.environ.get("PYTHONPATH", "")) if p
    )
    report_dir.mkdir(parents=True, exist_ok=True)
    pytest_args = [
        str(HARNESS_DIR / "gate_suite.py"),
        "-c",
        str(HARNESS_DIR / "gate.ini"),
        "--rootdir",
        str(HARNESS_DIR),
        "-q",
        "--no-header",
        "--tb=no",
        "-rN",
        "-W",
        "ignore::pytest.PytestAssertRewriteWarning",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:benchmark",
        # The gate's one test asserts nothing: pytest's assertion rewriting would only recompile
        # gradgate's modules in every process of every run (about 2 s each), and hypothesis's
        # plugin would import hypothesis for its summary (1.5 s).
        "--assert=plain",
        "-p",
        "no:hypothesispytest",
        "-p",
        "no:anyio",  # anyio's plugin imports anyio and trio in every process (0.16 s)
        "-n",
        _worker_count(args.workers, n_cases),
        "--max-worker-restart",
        str(max(4, n_cases)),
        f"--junitxml={report_dir / JUNIT_PARTIAL}",
        *plugin_args({**values, "report-dir": str(report_dir)}),
    ]
    if args.splits is not None:
        durations = args.durations_path or str(HARNESS_DIR / "durations.json")
        pytest_args += [
            "--splits",
            str(args.splits),
            "--group",
            str(args.group),
            "--durations-path",
            durations,
        ]
    return int(pytest.main(pytest_args))


def fuzz(args: argparse.Namespace) -> int:
    from gradgate.cases.case import DTYPES
    from gradgate.harness.config import rename_error
    from gradgate.harness.engine import rerun_command
    from gradgate.harness.fuzzing import fuzz as search
    from gradgate.harness.loading import ImplementationError, load_implementation
    from gradgate.harness.options import UsageError, parse_derivatives, resolve_layer, split_list
    from gradgate.harness.oracles import ORACLES

    try:
        if args.examples < 1:
            raise UsageError(f"--examples must be >= 1, got {args.examples}")
        found = settings_of(args, ("impl", "layer", "seed", "dtype", "oracles", "derivatives"))
        values = found.values
        try:
            text = values["dtype"]
            dtypes = split_list(
                "--dtype", ",".join(DTYPES) if text == "all" else text, DTYPES, also="all"
            )
            oracles = split_list("--oracles", values["oracles"], ORACLES)
            derivatives = parse_derivatives(values["derivatives"])
            layer = resolve_layer(values["layer"], ())
        except UsageError as exc:
            raise rename_error(exc, found) from None
        impl = load_implementation(values["impl"], layer)
        seed = int(values["seed"])
    except (UsageError, ImplementationError) as exc:
        return _usage(str(exc))
    for note in impl.notes:
        print(f"gradgate: note: {note}", file=sys.stderr)
    failing = search(
        impl,
        examples=args.examples,
        seed=seed,
        oracles=oracles,
        dtypes=dtypes,
        layer=layer,
        derivatives=derivatives,
    )
    if failing is None:
        print(f"{args.examples} random valid cases, no failure (seed {seed})")
        return EXIT_OK
    print(f"minimal failing case: {failing.id} ({failing.status})")
    print(failing.message.split(". Rerun: ")[0])
    print(f"rerun: {rerun_command(impl.name, failing.id, seed, derivatives)}")
    return EXIT_FAILED


def compare(base_path: str, new_path: str) -> int:
    from gradgate.harness.reports.baseline import compare_reports
    from gradgate.harness.reports.report_json import ReportError, read_report

    try:
        base, new = read_report(Path(base_path)), read_report(Path(new_path))
    except ReportError as exc:
        return _usage(str(exc))
    layers = [r.get("layer", DEFAULT_LAYER) for r in (base, new)]
    if layers[0] != layers[1]:
        return _usage(f"{base_path} gates {layers[0]} but {new_path} gates {layers[1]}")
    cmp = compare_reports(base, new)
    print(
        f"{len(cmp.regressions)} regressed, {len(cmp.fixed)} fixed, {len(cmp.drift)} drifted, "
        f"{len(cmp.new)} new, {len(cmp.removed)} removed"
    )
    lost: dict[str, list[str]] = {}
    for case_id, q, old_bits, new_bits in cmp.bits_lost:
        lost.setdefault(case_id, []).append(f"{q} {old_bits:.1f} -> {new_bits:.1f} bits")
    for case_id in cmp.regressions:
        case = next(c for c in new["cases"] if c["id"] == case_id)
        why = f"lost precision: {', '.join(lost[case_id])}" if case_id in lost else case["message"]
        print(f"REGRESSED {case_id}: {case['status']}: {why[:300]}")
    for case_id, old, now in cmp.drift:
        print(f"DRIFT     {case_id}: worst error ratio {old:.3g} -> {now:.3g} (still passing)")
    for case_id in cmp.fixed:
        print(f"FIXED     {case_id}")
    for case_id in cmp.new:
        print(f"NEW       {case_id}")
    for case_id in cmp.removed:
        print(f"REMOVED   {case_id}")
    return EXIT_FAILED if cmp.regressions else EXIT_OK


def explain(path: str, seconds: float | None) -> int:
    from gradgate.harness.options import UsageError
    from gradgate.harness.reports.diagnosis_section import diagnosis_lines
    from gradgate.harness.reports.explaining import explain_report
    from gradgate.harness.reports.report_json import ReportError

    try:
        report = explain_report(Path(path), diagnosis_settings(False, seconds))
    except (ReportError, UsageError) as exc:
        return _usage(str(exc))
    lines = diagnosis_lines(report) or [f"{path}: no case failed or errored, nothing to explain"]
    print("\n".join(lines))
    return EXIT_OK


def merge(paths: Sequence[str], output: str) -> int:
    from gradgate.harness.atomic import write_atomic
    from gradgate.harness.merge import merge_reports
    from gradgate.harness.reports.report_json import ReportError, read_report, write_report
    from gradgate.harness.reports.summary_md import headline, render_summary

    try:
        merged = merge_reports([(p, read_report(Path(p))) for p in paths])
    except ReportError as exc:
        return _usage(str(exc))
    out = Path(output)
    write_report(out, merged)
    write_atomic(out.with_name("summary.md"), render_summary(merged))
    print(headline(merged))
    print(f"merged {len(paths)} reports into {out} (and {out.with_name('summary.md')})")
    s = merged["summary"]
    return EXIT_FAILED if s["failed"] or s["errored"] or merged.get("regressions") else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
