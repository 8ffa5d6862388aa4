"""`[tool.gradgate]` (gradgate/harness/config.py): read by `gradgate run`, `gradgate fuzz`,
`gradgate cases`, `gradgate config` and the pytest plugin; flags override keys, keys override
defaults; bad keys and values exit 2 naming the key, the file and what is allowed."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from gradgate.harness.config import KEYS, describe, file_values, find_pyproject, settings
from gradgate.harness.options import GATE_OPTIONS, UsageError
from gradgate.harness.reports.report_json import read_report
from tests.commands import gate_pytest, gradgate

LAYER = "from gradgate.reference_impl import forward, backward\n"
BROKEN = (  # dX off by 1 %: any gate run on it fails
    "from gradgate.reference_impl import forward\n"
    "from gradgate.reference_impl import backward as _backward\n\n\n"
    "def backward(dY, X, W, b, cfg):\n"
    "    dX, dW, db = _backward(dY, X, W, b, cfg)\n"
    "    return dX * X.dtype.type(1.01), dW, db\n"
)


def project(folder: Path, table: str, layers: dict[str, str] | None = None) -> Path:
    """A user's project: pyproject.toml with `table` under [tool.gradgate], and its layers."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pyproject.toml").write_text(f'[project]\nname = "user"\n\n[tool.gradgate]\n{table}')
    for name, text in (layers or {"userlayer": LAYER}).items():
        (folder / f"{name}.py").write_text(text)
    return folder


def test_every_option_has_a_key_and_every_key_an_option() -> None:
    names = {o.name for o in GATE_OPTIONS}
    assert {name for name, _ in KEYS.values()} == names


def test_keys_are_read_checked_and_paths_are_the_files(tmp_path: Path) -> None:
    root = project(
        tmp_path / "p",
        'impl = "userlayer"\ndtypes = ["float32"]\noracles = "torch, adjoint"\nseed = 3\n'
        'timeout = 20\nbaseline = "ci/base.json"\ndiagnosis = false\ncases = ["a", "b"]\n',
    )
    values = file_values(root / "pyproject.toml")
    assert values == {
        "impl": "userlayer",
        "dtype": "float32",
        "oracles": "torch,adjoint",
        "seed": 3,
        "timeout": 20.0,
        "baseline": str((root / "ci" / "base.json").resolve()),
        "no-diagnosis": True,
        "case": ["a", "b"],
    }
    deeper = root / "src" / "pkg"
    deeper.mkdir(parents=True)
    assert find_pyproject(deeper) == root / "pyproject.toml"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('gird = "smoke"', "[tool.gradgate]: unknown key 'gird'; keys: impl, framework, layer"),
        ("seed = 1.5", "[tool.gradgate] seed: expected a whole number, got 1.5"),
        ('diagnosis = "no"', "[tool.gradgate] diagnosis: expected true or false, got 'no'"),
        ("dtypes = [64]", "[tool.gradgate] dtypes: expected a list of strings"),
        ("grid = 3", "[tool.gradgate] grid: expected a string, got 3"),
    ],
)
def test_bad_keys_and_types_name_the_key_and_the_file(
    tmp_path: Path, table: str, message: str
) -> None:
    root = project(tmp_path, table + "\n")
    with pytest.raises(UsageError) as caught:
        settings({}, start=root)
    assert str(caught.value).startswith(str(root / "pyproject.toml"))
    assert message in str(caught.value)


def test_flags_override_keys_which_override_defaults(tmp_path: Path) -> None:
    root = project(tmp_path, 'grid = "smoke"\noracles = ["torch"]\nframework = "jax"\n')
    found = settings({"oracles": "fd", "impl": "userlayer"}, start=root)
    assert found.values["grid"] == "smoke" and found.origins["grid"].startswith("pyproject")
    assert found.values["oracles"] == "fd" and found.origins["oracles"] == "--oracles"
    assert found.values["seed"] == 0 and found.origins["seed"] == "default"
    # a flag naming the layer (--impl) replaces the file's choice of one (framework)
    assert found.values["framework"] is None and found.values["impl"] == "userlayer"
    text = describe(found)
    assert f"config file: {root / 'pyproject.toml'}" in text
    assert "(--oracles)" in text and "[tool.gradgate] grid)" in text and "(default)" in text


def test_without_a_table_nothing_changes(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "other"\n')
    found = settings({}, start=tmp_path)
    assert found.path is None and set(found.origins.values()) == {"default"}


@pytest.mark.slow
def test_run_with_no_flags_gates_the_configured_layer(tmp_path: Path) -> None:
    """From a subfolder of the project: its layer, grid and dtypes, reports where it says."""
    root = project(
        tmp_path / "user",
        'impl = "brokenlayer"\ngrid = "smoke"\ndtypes = "float64"\noracles = ["torch"]\n'
        'report-dir = "out"\ndiagnosis = false\n',
        {"brokenlayer": BROKEN},
    )
    (root / "src").mkdir()
    out = gradgate("run", "-n", "1", cwd=root / "src")
    assert out.returncode == 1, out.stdout + out.stderr
    report = read_report(root / "out" / "report.json")
    assert report["implementation"] == "brokenlayer" and report["grid"] == "smoke"
    assert {c["config"]["dtype"] for c in report["cases"]} == {"float64"}
    assert set(report["cases"][0]["checks"]) >= {"torch:dX"}
    assert not any(name.startswith("fd:") for name in report["cases"][0]["checks"])
    # a flag wins over the file: the reference passes where the broken layer failed
    fixed = gradgate("run", "-n", "1", "--impl", "reference_impl", cwd=root)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr


def test_bad_values_in_the_file_exit_2_naming_the_key(tmp_path: Path) -> None:
    root = project(tmp_path, 'grid = "huge"\n')
    for command in (("run",), ("cases",), ("config",)):
        out = gradgate(*command, cwd=root)
        assert out.returncode == 2, (command, out.stdout, out.stderr)
        assert out.stderr.strip() == (
            f"gradgate: error: {root / 'pyproject.toml'} [tool.gradgate] grid: accepts smoke, "
            "default, full; got 'huge'"
        )
    flag = gradgate("run", "--grid", "huge", cwd=root)  # the flag's value: named as the flag
    assert flag.returncode == 2 and "--grid accepts smoke, default, full" in flag.stderr
    unknown = gradgate("run", cwd=project(tmp_path / "u", "colour = 1\n"))
    assert unknown.returncode == 2 and "unknown key 'colour'" in unknown.stderr


def test_config_and_show_config_print_the_settings_and_their_origin(tmp_path: Path) -> None:
    root = project(tmp_path, 'impl = "userlayer"\ngrid = "smoke"\n')
    for command in (("config", "--seed", "7"), ("run", "--show-config", "--seed", "7")):
        out = gradgate(*command, cwd=root)
        assert out.returncode == 0, out.stderr
        lines = {line.split()[0]: line for line in out.stdout.splitlines()[1:]}
        assert "[tool.gradgate] impl)" in lines["impl"] and "userlayer" in lines["impl"]
        assert lines["seed"].split()[1] == "7" and lines["seed"].endswith("(--seed)")
        assert lines["oracles"].endswith("(default)")
    assert not (root / "gradgate-report").exists()  # --show-config runs nothing


@pytest.mark.slow
def test_cases_and_fuzz_read_the_file(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        'impl = "brokenlayer"\nlayer = "deconv2d"\ngrid = "smoke"\ndtypes = ["float32"]\n'
        'oracles = "torch"\nseed = 5\n',
        {"brokenlayer": BROKEN},
    )
    ids = gradgate("cases", cwd=root).stdout.split()
    assert len(ids) == 15 and all(i.endswith("-f32") for i in ids)
    fuzzed = gradgate("fuzz", "--examples", "3", cwd=root, timeout=600)
    assert fuzzed.returncode == 1, fuzzed.stdout + fuzzed.stderr
    assert "--impl brokenlayer" in fuzzed.stdout and "--seed 5" in fuzzed.stdout


@pytest.mark.slow
def test_the_plugin_reads_the_file_and_its_flags_override_it(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        'impl = "brokenlayer"\ngrid = "smoke"\ndtypes = "float64"\noracles = "torch"\n',
        {"brokenlayer": BROKEN},  # gate_pytest writes the gate's test_gate.py
    )
    (root / "pytest.ini").write_text("[pytest]\naddopts = -p no:cacheprovider\n")

    def pytest_in_project(*flags: str) -> subprocess.CompletedProcess:
        return gate_pytest(root, "-p", "no:randomly", *flags)

    broken = pytest_in_project()  # one case of smoke has dX = 0, which 1.01 x keeps right
    assert broken.returncode == 1 and "14 failed, 1 passed" in broken.stdout, broken.stdout[-2000:]
    fixed = pytest_in_project("--gradgate-impl", "reference_impl")
    assert fixed.returncode == 0 and "15 passed" in fixed.stdout, fixed.stdout[-2000:]
    bad = project(tmp_path / "bad", 'grid = "huge"\n')
    out = gate_pytest(bad)
    assert out.returncode in (2, 4), out.stdout + out.stderr  # a collection or usage error
    assert (
        "[tool.gradgate] grid: accepts smoke, default, full; got 'huge'" in out.stdout + out.stderr
    )
