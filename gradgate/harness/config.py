"""`[tool.gradgate]` in a project's pyproject.toml: the gate's options written once.

Keys mirror `gradgate run`'s flags (`GATE_OPTIONS`); a flag on the command line (or
`--gradgate-NAME` under pytest) overrides the key, and a key overrides the built-in default.
The file is the first pyproject.toml found from the working directory upwards (the project's
root): a `[tool.gradgate]` table further up belongs to another project.

    [tool.gradgate]
    impl = "my_layers:Deconv"
    dtypes = ["float64", "float32"]
    oracles = ["torch", "adjoint"]
    baseline = "ci/baseline.json"      # paths are relative to the pyproject.toml
    diagnosis = false

An unknown key or a value of the wrong type is a UsageError naming the key, the file and what
it accepts; a value of the right type that the option refuses (`grid = "huge"`) is reported by
`resolve` in the same terms (`rename_error`).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gradgate.harness.options import GATE_OPTIONS, Option, UsageError

TABLE = "tool.gradgate"
# Set by `gradgate run` for its pytest workers: they get every setting as a flag already.
IGNORE_VARIABLE = "GRADGATE_IGNORE_CONFIG"
# key -> (option name, kind); kinds: str, list (of str, or a comma-separated str), int,
# number, bool, not (a bool stored as its option's negation)
KEYS: dict[str, tuple[str, str]] = {
    "impl": ("impl", "str"),
    "framework": ("framework", "str"),
    "layer": ("layer", "str"),
    "grid": ("grid", "str"),
    "dtypes": ("dtype", "list"),
    "input-precision": ("input-precision", "str"),
    "accumulate": ("accumulate", "str"),
    "oracles": ("oracles", "list"),
    "derivatives": ("derivatives", "list"),
    "seed": ("seed", "int"),
    "cases": ("case", "list"),
    "timeout": ("timeout", "number"),
    "report-dir": ("report-dir", "str"),
    "baseline": ("baseline", "str"),
    "diagnosis": ("no-diagnosis", "not"),
    "diagnosis-seconds": ("diagnosis-seconds", "number"),
}
PATH_KEYS = ("report-dir", "baseline")
KINDS = {
    "str": "a string",
    "list": "a list of strings (or one comma-separated string)",
    "int": "a whole number",
    "number": "a number",
    "bool": "true or false",
    "not": "true or false",
}
BY_OPTION = {name: key for key, (name, _) in KEYS.items()}


@dataclass
class Settings:
    """Option values by option name, and where each came from (a flag, the file, default)."""

    values: dict[str, Any] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    path: Path | None = None  # the pyproject.toml read, if it has the table

    def from_file(self, name: str) -> bool:
        return self.origins.get(name, "").startswith("pyproject")


def find_pyproject(start: Path | None = None) -> Path | None:
    """The first pyproject.toml from `start` (the working directory) upwards."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def read_toml(path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        with path.open("rb") as f:
            return dict(tomllib.load(f))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path}: not readable TOML ({exc})") from None


def read_table(path: Path) -> dict[str, Any] | None:
    """The `[tool.gradgate]` table of `path`, or None when it has none."""
    table = read_toml(path).get("tool", {}).get("gradgate")
    if table is None:
        return None
    if not isinstance(table, dict):
        raise UsageError(f"{path} [{TABLE}]: must be a table")
    return dict(table)


def _value(path: Path, key: str, kind: str, raw: Any) -> Any:
    where = f"{path} [{TABLE}] {key}"
    bad = UsageError(f"{where}: expected {KINDS[kind]}, got {raw!r}")
    if kind == "str":
        if not isinstance(raw, str):
            raise bad
        if key in PATH_KEYS:
            return str((path.parent / raw).resolve()) if raw else raw
        return raw
    if kind == "list":
        if isinstance(raw, str):
            items = [part.strip() for part in raw.split(",")]
        elif isinstance(raw, list) and all(isinstance(item, str) for item in raw):
            items = list(raw)
        else:
            raise bad
        return items if key == "cases" else ",".join(items)
    if kind == "int":
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise bad
        return raw
    if kind == "number":
        if isinstance(raw, bool) or not isinstance(raw, (int, float)):
            raise bad
        return float(raw)
    if not isinstance(raw, bool):
        raise bad
    return (not raw) if kind == "not" else raw


def file_values(path: Path) -> dict[str, Any] | None:
    """The table's values by option name, checked for key and type; None without a table."""
    table = read_table(path)
    if table is None:
        return None
    out: dict[str, Any] = {}
    for raw_key, raw in table.items():
        key = raw_key.replace("_", "-")
        if key not in KEYS:
            raise UsageError(f"{path} [{TABLE}]: unknown key {raw_key!r}; keys: {', '.join(KEYS)}")
        name, kind = KEYS[key]
        out[name] = _value(path, key, kind, raw)
    return out


def settings(
    given: Mapping[str, Any],
    *,
    flag_prefix: str = "--",
    names: tuple[str, ...] | None = None,
    start: Path | None = None,
    defaults: Mapping[str, Any] | None = None,
) -> Settings:
    """The options in force: each `given` value that is not None (a flag), else the file's,
    else the default (`defaults`, or the option's own). `names` limits them to a command's."""
    import os

    path = None if os.environ.get(IGNORE_VARIABLE) else find_pyproject(start)
    table = file_values(path) if path is not None else None
    from_file = table or {}
    for one, other in (("impl", "framework"), ("framework", "impl")):
        if given.get(one) is not None:  # a flag naming the layer replaces the file's choice
            from_file.pop(other, None)
    out = Settings(path=path if table is not None else None)
    if out.path is not None and str(out.path.parent) not in sys.path:
        sys.path.insert(0, str(out.path.parent))  # the project's `impl` imports from its root
    wanted = [o for o in GATE_OPTIONS if names is None or o.name in names]
    for option in wanted:
        value = given.get(option.name)
        if value not in (None, []):
            out.values[option.name] = value
            out.origins[option.name] = f"{flag_prefix}{option.name}"
        elif option.name in from_file:
            out.values[option.name] = from_file[option.name]
            out.origins[option.name] = f"pyproject: {path} [{TABLE}] {BY_OPTION[option.name]}"
        else:
            out.values[option.name] = _default(option, defaults)
            out.origins[option.name] = "default"
    return out


def _default(option: Option, defaults: Mapping[str, Any] | None) -> Any:
    if defaults is not None and option.name in defaults:
        return defaults[option.name]
    if option.action == "append":
        return []
    return option.default


def rename_error(exc: UsageError, found: Settings) -> UsageError:
    """`exc` (from resolve, which names flags) in the file's terms, when the value it refuses
    came from the file."""
    message = str(exc)
    for name in found.values:
        if not found.from_file(name):
            continue
        for flag in (f"--gradgate-{name}", f"--{name}"):
            if message.startswith(flag) and not message[len(flag) :][:1].isalnum():
                rest = message[len(flag) :].lstrip(":").strip()
                key = BY_OPTION[name]
                return UsageError(f"{found.path} [{TABLE}] {key}: {rest}")
    return exc


def describe(found: Settings) -> str:
    """`gradgate config`: each setting in force, and where it came from."""
    lines = [f"config file: {found.path}" if found.path else "config file: none found"]
    width = max(len(name) for name in found.values)
    for name, value in found.values.items():
        shown = "" if value is None else value
        lines.append(f"{name:<{width}}  {shown!s:<28}  ({found.origins[name]})")
    return "\n".join(lines)
