"""The arrays of a case, derived only from the case id and a seed.

Every worker, shard and rerun that asks for the same (case id, seed) gets bit-identical arrays:
the generator is seeded from a SHA-256 of both, never from global state.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from gradgate.cases.case import Case
from gradgate.cases.dtypes import numpy_dtype


@dataclass(frozen=True)
class CaseData:
    """Inputs (X, W, b, dY) in the case dtype; directions (uX, uW, ub) for the adjoint test,
    which are also the forward mode's tangents; and cotangents (ddX, ddW, ddb) of the backward's
    results, for the second order."""

    X: np.ndarray
    W: np.ndarray
    b: np.ndarray | None
    dY: np.ndarray
    uX: np.ndarray
    uW: np.ndarray
    ub: np.ndarray | None
    ddX: np.ndarray | None = None
    ddW: np.ndarray | None = None
    ddb: np.ndarray | None = None

    @property
    def tangents(self) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        return self.uX, self.uW, self.ub

    @property
    def cotangents(self) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        assert self.ddX is not None and self.ddW is not None
        return self.ddX, self.ddW, self.ddb


def case_rng(case_id: str, seed: int, stream: str) -> np.random.Generator:
    digest = hashlib.sha256(f"gradgate/{seed}/{case_id}/{stream}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:16], "little"))


def _uniform(case: Case, seed: int, stream: str, shape: tuple[int, ...]) -> np.ndarray:
    values = case_rng(case.id, seed, stream).uniform(-1.0, 1.0, size=shape)
    return values.astype(numpy_dtype(case.dtype))


def case_data(case: Case, seed: int) -> CaseData:
    """Uniform(-1, 1) arrays, the same for every process given the same case id and seed."""
    b_shape = (case.out_ch,)
    return CaseData(
        X=_uniform(case, seed, "X", case.x_shape),
        W=_uniform(case, seed, "W", case.w_shape),
        b=_uniform(case, seed, "b", b_shape) if case.bias else None,
        dY=_uniform(case, seed, "dY", case.y_shape),
        uX=_uniform(case, seed, "uX", case.x_shape),
        uW=_uniform(case, seed, "uW", case.w_shape),
        ub=_uniform(case, seed, "ub", b_shape) if case.bias else None,
        ddX=_uniform(case, seed, "ddX", case.x_shape),
        ddW=_uniform(case, seed, "ddW", case.w_shape),
        ddb=_uniform(case, seed, "ddb", b_shape) if case.bias else None,
    )
