"""Repository-wide pytest set-up.

The gradgate plugin itself is registered by its `pytest11` entry point (pip install -e .).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator

import pytest

# jax's persistent compilation cache, shared by every process this session starts (the xdist
# workers and their subprocesses inherit the environment the controller sets here): README's
# `gradgate run --framework jax` and the jax verdict test compile the same shapes, once.  A fresh
# folder per session, removed at its end: the same jaxlib on the same machine, never a cache
# left by another run or another version (jax's cache is keyed by the program, the flags and
# the version, but a stale entry from another jaxlib has crashed others' processes).
JAX_THRESHOLDS = {  # eager jax compiles each op: every compilation is small, keep them all
    "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0",
    "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "0",
}
_jax_cache: list[str] = []  # the folder this session made, if it made one


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput") or "JAX_COMPILATION_CACHE_DIR" in os.environ:
        return  # an xdist worker (it inherited the controller's), or the user's own cache
    _jax_cache.append(tempfile.mkdtemp(prefix="gradgate-tests-jax-cache-"))
    os.environ.update(JAX_THRESHOLDS, JAX_COMPILATION_CACHE_DIR=_jax_cache[0])


def pytest_unconfigure(config: pytest.Config) -> None:
    if _jax_cache:
        shutil.rmtree(_jax_cache.pop(), ignore_errors=True)
        os.environ.pop("JAX_COMPILATION_CACHE_DIR", None)


def pytest_report_header(config: pytest.Config) -> list[str]:
    """The numeric kernels this run uses (a forced-AVX2 run shows it took the AVX2 paths)."""
    from gradgate.harness.machine import kernel_lines

    return kernel_lines()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Longest first (tests/order.py), so that no long test starts last and runs alone."""
    from tests.order import longest_first, measured

    tests = [(item.nodeid, item.get_closest_marker("slow") is not None) for item in items]
    items[:] = [items[i] for i in longest_first(tests, measured())]


@pytest.fixture(scope="session", autouse=True)
def _no_onednn_in_process() -> Iterator[None]:
    """In-process tests never enter oneDNN.

    PyTorch 2.13.0's float32 weight gradient there corrupts the heap on some configurations
    (docs/findings/torch.md); a test that ran it in-process would stand on luck.  float64 (the
    torch oracle) never enters oneDNN.  Runs of the gate in subprocesses keep oneDNN, and
    tests/gate/test_crashes.py checks that the gate attributes that crash.
    """
    import torch

    before = torch.backends.mkldnn.enabled
    torch.backends.mkldnn.enabled = False
    yield
    torch.backends.mkldnn.enabled = before
