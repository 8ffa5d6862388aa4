"""The gate's checks of forward mode and the second order (`--derivatives`, issue 21).

- Correct implementations pass every check of every derivative, on every kind's smoke grid and
  at several seeds (the bounds are derived, so a pass is never luck);
- the bank (tests/kinds/derivative_bugs.py) fails exactly on the cases each bug's mistake
  reaches, through torch alone and through the oracles without torch (fd and the identities);
  fd alone sees all six, the identities the four whose mistake breaks a symmetry;
- a missing or mismatched function makes its derivative `unsupported` for the case, with the
  reason, and never fails it; a result that breaks the contract does.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

import gradgate.reference_impl as ref
from gradgate.cases.case import Case, parse_case_id
from gradgate.cases.deconv2d.grid import grid_cases
from gradgate.cases.kinds import LAYER_KINDS, layer_kind
from gradgate.harness.bounds import magnitudes
from gradgate.harness.data import case_data
from gradgate.harness.engine import run_case
from gradgate.harness.loading import Implementation, load_implementation
from gradgate.harness.oracles.directional_differences import forward_difference
from tests.commands import ROOT, gate_pytest, gradgate
from tests.kinds.derivative_bugs import DOUBLE_BACKWARD_BUGS, JVP_BUGS
from tests.kinds.test_derivative_bank import REACHES

ALL = ("first", "forward", "second")
HIGHER = ("jY", "gdY", "gX", "gW", "gb")
SMOKE64 = grid_cases("smoke", ("float64",))
BUGS: dict[str, SimpleNamespace] = {**JVP_BUGS, **DOUBLE_BACKWARD_BUGS}
# A mistake the Hessian's symmetry cannot show: the wrong double backward is still symmetric
# (act'' of the wrong sign scales H's curvature part; dropping both cross terms removes a
# symmetric pair), and the identities between first and higher derivatives do not involve
# gX, gW or gb.  fd and torch see them.
SYMMETRIC = ("activation_second_derivative_sign", "double_backward_drops_dY_terms")


def _impl(name: str, bug: SimpleNamespace) -> Implementation:
    return Implementation(
        name,
        bug.forward,
        bug.backward,
        jvp=getattr(bug, "jvp", None),
        double_backward=getattr(bug, "double_backward", None),
    )


def _failed(impl: Implementation, oracles: tuple[str, ...], cases: list[Case]) -> set[str]:
    out = set()
    for case in cases:
        result = run_case(impl, case, oracles=oracles, derivatives=ALL)
        assert result.status in ("passed", "failed"), (case.id, result.message)
        if result.status == "failed":
            out.add(case.id)
    return out


@pytest.mark.parametrize("layer", list(LAYER_KINDS))
def test_the_references_pass_every_derivative_on_their_smoke_grid(layer: str) -> None:
    impl = load_implementation(None, layer)
    for case in layer_kind(layer).grid_cases("smoke", ("float64", "float32")):
        result = run_case(impl, case, derivatives=ALL)
        assert result.status == "passed", (case.id, result.message)
        names = {n.partition(":")[2] for n in result.checks if n.startswith("torch:")}
        assert {"jY", "gdY", "gX", "gW"} <= names, names
        assert {"fd:jY", "fd:gX", "adjoint:jY", "adjoint:hessian"} <= set(result.checks)
        assert not result.unsupported


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_reference_passes_at_other_seeds(seed: int) -> None:
    impl = load_implementation(None)
    for case in grid_cases("smoke", ("float64", "float32")):
        result = run_case(impl, case, seed=seed, derivatives=ALL)
        assert result.status == "passed", (case.id, seed, result.message)


@pytest.mark.parametrize("name", list(BUGS))
def test_torch_alone_fails_each_bug_exactly_where_it_reaches(name: str) -> None:
    reached = {c.id for c in SMOKE64 if REACHES[name](c)}
    assert _failed(_impl(name, BUGS[name]), ("torch",), SMOKE64) == reached


@pytest.mark.parametrize("name", list(BUGS))
def test_fd_alone_fails_each_bug_exactly_where_it_reaches(name: str) -> None:
    reached = {c.id for c in SMOKE64 if REACHES[name](c)}
    assert _failed(_impl(name, BUGS[name]), ("fd",), SMOKE64) == reached


@pytest.mark.parametrize("name", list(BUGS))
def test_the_identities_alone_fail_each_bug_that_breaks_a_symmetry(name: str) -> None:
    reached = {c.id for c in SMOKE64 if REACHES[name](c)}
    failed = _failed(_impl(name, BUGS[name]), ("adjoint",), SMOKE64)
    assert failed == (set() if name in SYMMETRIC else reached)


@pytest.mark.parametrize("name", list(BUGS))
def test_without_torch_each_bug_fails_in_float32_too(name: str) -> None:
    cases = grid_cases("smoke", ("float32",))
    reached = {c.id for c in cases if REACHES[name](c)}
    assert _failed(_impl(name, BUGS[name]), ("fd", "adjoint"), cases) == reached


def test_the_message_names_the_element_and_the_rerun_the_derivatives() -> None:
    case = next(c for c in SMOKE64 if REACHES["jvp_bias_tangent_dropped"](c))
    bug = _impl("bank:jvp_bias_tangent_dropped", BUGS["jvp_bias_tangent_dropped"])
    result = run_case(bug, case, derivatives=ALL)
    assert result.status == "failed"
    assert "torch:jY: " in result.message and "worst at (n=" in result.message
    assert "adjoint:jY: <dY, jY(t)> vs <t, backward(dY)>" in result.message
    assert result.message.endswith("--derivatives first,forward,second")
    # the second order is not offered by this bank entry: said, not failed
    assert result.unsupported == {
        "second": "the implementation has no double_backward(ddX, ddW, ddb, dY, X, W, b, cfg)"
    }


def test_the_default_checks_the_first_derivative_only() -> None:
    case = SMOKE64[3]
    result = run_case(load_implementation(None), case)
    assert not {n for n in result.checks if n.partition(":")[2] in HIGHER}
    assert "repeat:jvp.Y" not in result.checks
    assert not result.unsupported


def test_a_missing_derivative_is_unsupported_never_failed() -> None:
    plain = Implementation("plain", ref.forward, ref.backward)
    result = run_case(plain, SMOKE64[0], derivatives=ALL)
    assert result.status == "passed", result.message
    assert set(result.unsupported) == {"forward", "second"}
    assert "no jvp(tX, tW, tb, X, W, b, cfg)" in result.unsupported["forward"]
    assert result.as_report()["unsupported_derivatives"] == result.unsupported


def test_a_module_jvp_of_another_signature_is_a_reason_not_a_load_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "layer_with_jax_jvp.py").write_text(
        "from gradgate.reference_impl import forward, backward\n"
        "def jvp(fun, primals, tangents):  # as jax.jvp\n"
        "    raise AssertionError('never called')\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    impl = load_implementation("layer_with_jax_jvp")
    assert impl.jvp is None
    result = run_case(impl, SMOKE64[0], derivatives=ALL)
    assert result.status == "passed"
    assert "jvp takes 3 positional argument(s)" in result.unsupported["forward"]


def test_a_result_that_breaks_the_contract_fails_the_case() -> None:
    def jvp(tX, tW, tb, X, W, b, cfg):  # type: ignore[no-untyped-def]
        Y, tY = ref.jvp(tX, tW, tb, X, W, b, cfg)
        return Y, tY[..., :-1]

    def double_backward(*args):  # type: ignore[no-untyped-def]
        return ref.double_backward(*args)[:3]

    impl = Implementation(
        "broken", ref.forward, ref.backward, jvp=jvp, double_backward=double_backward
    )
    result = run_case(impl, SMOKE64[0], derivatives=ALL)
    assert result.status == "failed"
    assert "tY has shape" in result.checks["contract:jvp"].note
    assert "expected a tuple (gdY, gX, gW, gb)" in result.checks["contract:double_backward"].note


def test_a_derivative_that_changes_its_inputs_fails_and_the_oracles_see_the_case_s_data() -> None:
    def jvp(tX, tW, tb, X, W, b, cfg):  # type: ignore[no-untyped-def]
        out = ref.jvp(tX, tW, tb, X, W, b, cfg)
        W *= 0.5  # in place, after its own use
        return out

    impl = Implementation("scribbles", ref.forward, ref.backward, jvp=jvp)
    result = run_case(impl, SMOKE64[0], derivatives=ALL)
    assert result.status == "failed"
    assert result.checks["contract:jvp_inputs"].note == "jvp modified its inputs: W"
    failing = {name for name, check in result.checks.items() if not check.passed}
    assert failing == {"contract:jvp_inputs"}, failing


def test_jvps_y_must_be_the_forwards() -> None:
    def jvp(tX, tW, tb, X, W, b, cfg):  # type: ignore[no-untyped-def]
        Y, tY = ref.jvp(tX, tW, tb, X, W, b, cfg)
        return Y * 1.001, tY

    impl = Implementation("shifted", ref.forward, ref.backward, jvp=jvp)
    result = run_case(impl, SMOKE64[0], derivatives=ALL)
    assert result.status == "failed"
    assert not result.checks["repeat:jvp.Y"].passed
    assert result.checks["torch:jY"].passed


def test_half_precision_leaves_fd_and_the_identities_inconclusive_and_torch_decides() -> None:
    impl = load_implementation(None)
    for case in grid_cases("smoke", ("float16",))[:4]:
        result = run_case(impl, case, derivatives=ALL)
        assert result.status == "passed", (case.id, result.message)
        assert result.checks["fd:jY"].inconclusive and result.checks["adjoint:hessian"].inconclusive
        assert "adjoint:gX" not in result.checks
        assert not result.checks["torch:gX"].inconclusive


def test_fd_leaves_out_what_a_kink_reaches_and_never_fails_there() -> None:
    """A relu case with Z = 0 exactly at some outputs: the differences there are left out."""
    case = parse_case_id("n1-c1x1-g1-i3x3-k1x1-s1x1-p0.0.0.0-d1x1-op0x0-b0-relu-f64")
    data = case_data(case, 0)
    zeros_at = data.X.copy()
    zeros_at[0, 1, :, 0] = 0.0

    on_kink = type(data)(**{**data.__dict__, "X": zeros_at, "W": np.ones_like(data.W)})
    mag = magnitudes(case, on_kink)
    jY = ref.jvp(*on_kink.tangents, on_kink.X, on_kink.W, on_kink.b, case.cfg)[1]
    check = forward_difference(
        lambda X, W, b: ref.forward(X, W, b, case.cfg),
        case,
        on_kink,
        mag,
        2.0**-53,
        on_kink.tangents,
        "jY",
        jY,
        np.zeros(jY.shape),
    )
    assert check.passed, check
    assert check.n_checked == jY.size - 3 and "3 of 9 entries" in check.note


@pytest.mark.slow  # end-to-end runs
def test_the_cli_and_the_config_take_derivatives(tmp_path: Path) -> None:
    case = SMOKE64[5].id
    bad = gradgate("run", "--case", case, "--derivatives", "second")
    assert bad.returncode == 2 and "--derivatives must include first" in bad.stderr
    unknown = gradgate("run", "--case", case, "--derivatives", "first,third")
    assert unknown.returncode == 2
    assert "--derivatives accepts first, forward, second; got 'third'" in unknown.stderr
    (tmp_path / "pyproject.toml").write_text(
        '[tool.gradgate]\nderivatives = ["first", "second"]\nimpl = "reference_impl"\n'
    )
    shown = gradgate("config", cwd=tmp_path)
    assert shown.returncode == 0 and "first,second" in shown.stdout, shown.stdout
    out = gradgate("run", "--case", case, "--report-dir", str(tmp_path / "r"), cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    checks = json.loads((tmp_path / "r" / "report.json").read_text())["cases"][0]["checks"]
    assert "torch:gX" in checks and "fd:gW" in checks and "torch:jY" not in checks


@pytest.mark.slow  # end-to-end runs
def test_the_cli_reports_a_derivative_it_cannot_check_and_passes(tmp_path: Path) -> None:
    (tmp_path / "first_only.py").write_text(
        "from gradgate.reference_impl import forward, backward, jvp\n"
    )
    cases = [c.id for c in SMOKE64[:3]]
    out = gradgate(
        "run",
        "--impl",
        "first_only",
        *(a for c in cases for a in ("--case", c)),
        "--derivatives",
        "first,forward,second",
        "--report-dir",
        str(tmp_path / "r"),
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    reason = "the implementation has no double_backward(ddX, ddW, ddb, dY, X, W, b, cfg)"
    line = f"second derivative unsupported on 3 of 3 cases (not failed): {reason}"
    assert line in out.stdout
    assert line in (tmp_path / "r" / "summary.md").read_text()
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    for case in report["cases"]:
        assert case["status"] == "passed"
        assert case["unsupported_derivatives"] == {"second": reason}
        assert case["checks"]["torch:jY"]["passed"]


@pytest.mark.slow  # end-to-end runs
def test_baselines_the_diagnosis_fuzz_and_the_plugin_carry_the_derivatives(tmp_path: Path) -> None:
    """A bias-tangent bug through `gradgate run`: a regression against the reference's run with
    the same derivatives; its minimal case is searched with the run's derivatives (else no
    candidate would fail); `gradgate fuzz` and the plugin take them too."""
    (tmp_path / "jvp_bug.py").write_text(
        "from tests.kinds.derivative_bugs import JVP_BUGS\n"
        "bug = JVP_BUGS['jvp_bias_tangent_dropped']\n"
        "forward, backward, jvp = bug.forward, bug.backward, bug.jvp\n"
    )
    env = {"PYTHONPATH": str(ROOT)}
    out = gradgate(
        "run",
        "--impl",
        "jvp_bug",
        "--grid",
        "smoke",
        "--dtype",
        "float64",
        "--derivatives",
        "first,forward",
        "--diagnosis-seconds",
        "10",
        "--report-dir",
        str(tmp_path / "r"),
        cwd=tmp_path,
        env=env,
    )
    assert out.returncode == 1, out.stdout + out.stderr
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    failing = sorted(c["id"] for c in report["cases"] if c["status"] == "failed")
    assert failing
    # against a baseline of the reference with the same derivatives: each is a regression
    base = gradgate(
        "run",
        "--grid",
        "smoke",
        "--dtype",
        "float64",
        "--derivatives",
        "first,forward",
        "--report-dir",
        str(tmp_path / "base"),
        cwd=tmp_path,
    )
    assert base.returncode == 0, base.stdout + base.stderr
    compared = gradgate(
        "compare", str(tmp_path / "base" / "report.json"), str(tmp_path / "r" / "report.json")
    )
    assert compared.returncode == 1 and all(i in compared.stdout for i in failing), compared.stdout
    minimal = report["diagnosis"]["minimal_cases"]
    assert minimal and minimal[0]["check"].endswith(":jY"), report["diagnosis"]
    plugin = gate_pytest(
        tmp_path,
        "--gradgate-impl",
        "jvp_bug",
        "--gradgate-case",
        minimal[0]["id"],
        "--gradgate-derivatives",
        "first,forward",
        env=env,
    )
    assert plugin.returncode == 1 and "torch:jY" in plugin.stdout, plugin.stdout[-2000:]
    fuzz = gradgate(
        "fuzz",
        "--impl",
        "jvp_bug",
        "--examples",
        "15",
        "--derivatives",
        "first,forward",
        cwd=tmp_path,
        env=env,
    )
    assert fuzz.returncode == 1 and "jY" in fuzz.stdout, fuzz.stdout + fuzz.stderr
    assert "--derivatives first,forward" in fuzz.stdout
