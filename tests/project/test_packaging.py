"""An installed gradgate holds every package of the tree, and the files the gate reads."""

from __future__ import annotations

from pathlib import Path

import pytest
from setuptools import find_packages

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

ROOT = Path(__file__).resolve().parents[2]


def test_every_package_of_the_tree_is_installed() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = set(find_packages(str(ROOT), include=config["packages"]["find"]["include"]))
    on_disk = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for top in ("harness", "reference_impl", "cases")
        for p in (ROOT / top).rglob("__init__.py")
    }
    assert on_disk <= found, on_disk - found
    for name in config["package-data"]["harness"]:
        assert (ROOT / "harness" / name).is_file(), name
