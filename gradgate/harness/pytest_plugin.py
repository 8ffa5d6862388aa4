"""The gradgate pytest plugin: cases as parameters, verdicts from the engine, reports at the end.

Registered through the `pytest11` entry point when gradgate is installed.  Any test that takes
the `gradgate_case` (or `gradgate_result`) fixture is parametrized over the selected cases.
Per-case numbers go into `user_properties` as plain floats, so they survive pytest-xdist and
reach JUnit XML; the controller (or the single process) collects them and writes the reports.
Everything heavy (numpy, torch, the grids, the reports) is imported inside the hooks that need
it, so the plugin adds next to nothing to pytest sessions that don't gate.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from gradgate.harness.crash_trail import TRAIL_DIR_VARIABLE
from gradgate.harness.implementation import ImplementationError

if TYPE_CHECKING:
    from gradgate.harness.crash_trail import Crash
    from gradgate.harness.diagnosis import DiagnosisSettings
    from gradgate.harness.options import GateOptions

NOTES_SHOWN_VARIABLE = "GRADGATE_NOTES_SHOWN"


class GradgateNote(UserWarning):
    """Something the harness had to do to load an implementation (e.g. a compatibility shim)."""


THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
RESULT_PROPERTY = "gradgate_result"
CRASH_MESSAGE = (
    "the worker process died while running this case (a crash in native code, os._exit, "
    "or a hang past the hard time limit)"
)


def pytest_addoption(parser: pytest.Parser) -> None:
    from gradgate.harness.options import add_plugin_options

    add_plugin_options(parser.getgroup("gradgate", "gradgate: gradient verification gate"))


def gate_values(config: pytest.Config) -> dict[str, Any]:
    """The options in force: `--gradgate-NAME` flags, else `[tool.gradgate]`, else defaults
    (`gradgate.harness.config.settings`, as for `gradgate run`); a bad key is a usage error."""
    from gradgate.harness.config import settings
    from gradgate.harness.options import GATE_OPTIONS, UsageError

    cached = getattr(config, "_gradgate_settings", None)
    if cached is None:
        given = {option.name: config.getoption(option.plugin_dest) for option in GATE_OPTIONS}
        try:
            cached = settings(given, flag_prefix="--gradgate-")
        except UsageError as exc:
            raise pytest.UsageError(str(exc)) from None
        config._gradgate_settings = cached  # type: ignore[attr-defined]
    return dict(cached.values)


def gate_options(config: pytest.Config) -> GateOptions:
    """The run's options, checked once by `gradgate.harness.options.resolve` (as `gradgate
    run`'s)."""
    from gradgate.harness.config import rename_error
    from gradgate.harness.options import UsageError, resolve

    cached = getattr(config, "_gradgate_options", None)
    if cached is None:
        values = gate_values(config)
        try:
            cached = resolve(values, prefix="--gradgate-")
        except UsageError as exc:
            message = str(rename_error(exc, config._gradgate_settings))  # type: ignore[attr-defined]
            raise pytest.UsageError(message) from None
        config._gradgate_options = cached  # type: ignore[attr-defined]
    return cached


def diagnosis_settings(config: pytest.Config) -> DiagnosisSettings:
    from gradgate.harness.options import UsageError
    from gradgate.harness.options import diagnosis_settings as settings

    values = gate_values(config)
    try:
        return settings(bool(values["no-diagnosis"]), values["diagnosis-seconds"])
    except UsageError as exc:
        raise pytest.UsageError(str(exc)) from None


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


# Set by `gradgate run`, whose pytest session holds the gate's cases and nothing else: its
# workers leave without the interpreter's clean-up (gradgate.harness.process_exit), once every
# report has gone to the controller.  Never set for a user's own pytest session.
QUICK_EXIT_VARIABLE = "GRADGATE_WORKERS_EXIT_QUICKLY"


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """In a `gradgate run` worker, after xdist has sent its last event: exit at once."""
    if _is_worker(config) and os.environ.get(QUICK_EXIT_VARIABLE) == "1":
        from gradgate.harness.process_exit import exit_now

        exit_now(0)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    values = gate_values(config)
    module = str(values["impl"]).partition(":")[0]
    if module.split(".")[0] == "numpy_ml":
        from gradgate.harness.adapters.numpy_ml_compat import ensure_importable

        # The controller unpickles workers' warnings by importing their modules: numpy-ml's too.
        ensure_importable(module)
    if getattr(config.option, "numprocesses", None) and not _is_worker(config):
        for var in THREAD_VARIABLES:  # workers inherit these before they import numpy
            os.environ.setdefault(var, "1")
        if values["report-dir"] is not None:  # workers leave crash trails
            trail_dir = tempfile.mkdtemp(prefix="gradgate-trail-")
            os.environ[TRAIL_DIR_VARIABLE] = trail_dir
            config._gradgate_trail_dir = Path(trail_dir)  # type: ignore[attr-defined]
    if _is_worker(config) or values["report-dir"] is None:
        return
    from gradgate.harness.reports.writing import FIGURES_DIR

    opts = gate_options(config)  # a bad option (a baseline, a budget...) stops it here
    assert opts.report_dir is not None
    shutil.rmtree(opts.report_dir / FIGURES_DIR, ignore_errors=True)
    config.pluginmanager.register(GateRecorder(config, opts), "gradgate-recorder")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "gradgate_case" in metafunc.fixturenames:
        from gradgate.harness.options import UsageError

        try:
            cases = gate_options(metafunc.config).cases()
        except UsageError as exc:
            raise pytest.UsageError(str(exc)) from None
        metafunc.parametrize("gradgate_case", cases, ids=[c.id for c in cases])


@pytest.fixture(scope="session")
def gradgate_implementation(pytestconfig: pytest.Config) -> Any:
    from gradgate.harness.loading import load_implementation

    if _is_worker(pytestconfig):
        import torch

        torch.set_num_threads(1)
    try:
        opts = gate_options(pytestconfig)
        impl = load_implementation(opts.impl, opts.layer)
    except ImplementationError as exc:
        pytest.fail(f"--impl: {exc}", pytrace=False)
    if not os.environ.get(NOTES_SHOWN_VARIABLE):  # `gradgate run` has said them already
        for note in impl.notes:
            warnings.warn(note, GradgateNote, stacklevel=1)
    return impl


@pytest.fixture
def gradgate_result(
    request: pytest.FixtureRequest, gradgate_case: Any, gradgate_implementation: Any
) -> Any:
    """The engine's verdict on this case, also recorded in the item's user_properties."""
    from gradgate.harness.crash_trail import recording
    from gradgate.harness.engine import run_case

    opts = gate_options(request.config)
    worker = _is_worker(request.config)
    trail_dir = os.environ.get(TRAIL_DIR_VARIABLE) if worker else None
    with recording(Path(trail_dir) if trail_dir else None, gradgate_case.id):
        result = run_case(
            gradgate_implementation,
            gradgate_case,
            oracles=opts.oracles,
            derivatives=opts.derivatives,
            seed=opts.seed,
            timeout=opts.timeout,
            hard_grace=max(5.0, opts.timeout or 0) if worker else None,
        )
    if opts.report_dir is not None and result.status in ("failed", "errored"):
        _save_figure(opts.report_dir, result)  # first: it may add to the message recorded below
    props = request.node.user_properties
    props.append(("gradgate_status", result.status))
    props.append(("gradgate_worst_ratio", float(result.worst_ratio)))
    props.append(("gradgate_duration_s", float(result.duration_s)))
    for name, check in result.checks.items():
        props.append((f"{name}:error_ratio", float(check.as_report()["error_ratio"])))  # type: ignore[arg-type]
    props.append((RESULT_PROPERTY, json.dumps(result.as_report(), allow_nan=False)))
    return result


def _save_figure(report_dir: Path, result: Any) -> None:
    """The failure's heatmap, for report.html; a note in the message if it cannot be drawn."""
    from gradgate.harness.atomic import write_atomic
    from gradgate.harness.reports.figures import error_figure
    from gradgate.harness.reports.writing import FIGURES_DIR

    try:
        png = error_figure(result)
    except Exception as exc:  # a picture must never cost a verdict
        result.message += f" (no heatmap: {type(exc).__name__})"
        return
    if png is not None:
        write_atomic(report_dir / FIGURES_DIR / f"{result.id}.png", png)


def _case_id_of(nodeid: str) -> str | None:
    if not nodeid.endswith("]") or "[" not in nodeid:
        return None
    return nodeid[nodeid.rindex("[") + 1 : -1]


class GateRecorder:
    """Collects per-case results (from this process or from xdist workers) and writes reports."""

    def __init__(self, config: pytest.Config, opts: GateOptions) -> None:
        self.config = config
        self.opts = opts
        self.results: dict[str, dict[str, Any]] = {}
        self.report: dict[str, Any] | None = None
        self.collected: list[str] | None = None  # case ids after deselection (-k, shards)
        self.crashes: dict[str, Crash] = {}  # case id -> how its worker died
        self.crash_reports: dict[str, pytest.TestReport] = {}

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        if not getattr(self.config.option, "numprocesses", None):  # else workers collect
            ids = [_case_id_of(item.nodeid) for item in session.items]
            self.collected = [i for i in ids if i is not None]

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        self.collected = [i for i in map(_case_id_of, ids) if i is not None]

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        case_id = _case_id_of(report.nodeid)
        if case_id is None:
            return
        for name, value in report.user_properties:
            if name == RESULT_PROPERTY:
                self.results[case_id] = json.loads(str(value))
                return
        if report.failed and case_id not in self.results:
            crashed = report.when not in ("setup", "call", "teardown")
            reason = CRASH_MESSAGE if crashed else _first_line(report.longreprtext)
            trail_dir = getattr(self.config, "_gradgate_trail_dir", None)
            if crashed and trail_dir is not None:
                from gradgate.harness.crash_trail import crash_of

                self.crashes[case_id] = crash_of(trail_dir, case_id)
                self.crash_reports[case_id] = report
                reason = f"the worker process {self.crashes[case_id].describe()}"
            self.results[case_id] = {"status": "errored", "message": reason}

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        from gradgate.harness.options import UsageError
        from gradgate.harness.reports.writing import write_reports

        try:
            selected = self.opts.cases()
        except UsageError:
            return
        if self.collected is not None:
            kept = set(self.collected)
            selected = [c for c in selected if c.id in kept]
        self._settle_crashes(session)
        diagnosis = diagnosis_settings(self.config)
        if exitstatus == pytest.ExitCode.INTERRUPTED:  # unfinished cases are no evidence
            diagnosis = dataclasses.replace(diagnosis, enabled=False)
        self.report = write_reports(self.opts, selected, self.results, diagnosis=diagnosis)

    def _settle_crashes(self, session: pytest.Session) -> None:
        """Each case whose worker died, rerun once in a fresh process (gradgate.harness.rerun), but
        one its hard time limit stopped.

        A case that passes on the rerun (its worker was taken down by an oracle) is a passed
        test for pytest too: its crash report is moved from `failed` to `passed`.
        """
        from gradgate.harness.engine import rerun_command
        from gradgate.harness.rerun import RerunRequest, settle_all

        trail_dir = getattr(self.config, "_gradgate_trail_dir", None)
        if not self.crashes or trail_dir is None:
            return
        opts = self.opts
        requests = [
            (
                RerunRequest(
                    opts.impl, case_id, opts.seed, opts.oracles, opts.timeout, opts.derivatives
                ),
                crash,
            )
            for case_id, crash in self.crashes.items()
        ]
        workers = getattr(self.config.option, "numprocesses", 1)
        settled = settle_all(requests, trail_dir, workers if isinstance(workers, int) else 1)
        for case_id, entry in settled.items():
            if entry["status"] in ("failed", "errored") and "Rerun: " not in entry["message"]:
                entry["message"] += f". Rerun: {rerun_command(opts.impl, case_id, opts.seed)}"
            self.results[case_id] = entry
            if entry["status"] in ("passed", "unsupported"):
                self._count_as_passed(session, self.crash_reports[case_id])

    def _count_as_passed(self, session: pytest.Session, report: pytest.TestReport) -> None:
        report.outcome = "passed"
        terminal = self.config.pluginmanager.get_plugin("terminalreporter")
        if terminal is not None and report in terminal.stats.get("failed", []):
            terminal.stats["failed"].remove(report)
            terminal.stats.setdefault("passed", []).append(report)
        session.testsfailed -= 1
        if session.testsfailed == 0 and session.exitstatus == pytest.ExitCode.TESTS_FAILED:
            session.exitstatus = pytest.ExitCode.OK

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        trail_dir = getattr(config, "_gradgate_trail_dir", None)
        if trail_dir is not None:
            shutil.rmtree(trail_dir, ignore_errors=True)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        from gradgate.harness.reports.terminal import summary_lines

        if self.report is None:
            return
        for line in summary_lines(self.report, self.opts.report_dir):
            terminalreporter.write_line(line)


def _first_line(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    for ln in reversed(lines):
        if ln.startswith("E "):
            return ln[2:].strip()
    return lines[-1] if lines else "no result"
