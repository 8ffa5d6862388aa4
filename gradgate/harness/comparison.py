"""Element-wise comparison of a result with an oracle's, against an element-wise bound."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gradgate.cases.axes import index_names


@dataclass
class Check:
    """One ORACLE:QUANTITY check, in the report's terms, with the worst element's details."""

    passed: bool
    max_abs_err: float
    max_rel_err: float
    error_ratio: float
    worst_index: list[int]
    n_off: int = 0
    n_checked: int = 0
    expected: float | None = None
    got: float | None = None
    bound: float | None = None
    note: str = ""
    where: str = ""
    error_map: np.ndarray | None = field(default=None, repr=False)  # |got - expected|, for pictures
    statement: str = ""  # the whole finding, for checks of one aggregate number (precision)
    inconclusive: bool = False  # the oracle cannot decide at this precision (note says why)
    extra: dict[str, object] = field(default_factory=dict)  # report fields of the check's family
    relation: str = ""  # for a check of two numbers: what they are ("<J u, v> vs <u, J^T v>")

    def as_report(self) -> dict[str, object]:
        out: dict[str, object] = {
            "passed": self.passed,
            "max_abs_err": _finite_or_str(self.max_abs_err),
            "max_rel_err": _finite_or_str(self.max_rel_err),
            "error_ratio": _finite_or_str(self.error_ratio),
            "worst_index": self.worst_index,
            "n_off": self.n_off,
            "n_checked": self.n_checked,
        }
        if self.note:
            out["note"] = self.note
        if self.inconclusive:
            out["inconclusive"] = True
        out.update(self.extra)
        return out


def _finite_or_str(x: float) -> float:
    """JSON has no inf/nan: report them as the largest float so ratios still sort."""
    return float(x) if np.isfinite(x) else float(np.finfo(np.float64).max)


def compare(
    quantity: str,
    got: np.ndarray,
    expected: np.ndarray,
    bound: np.ndarray,
    mask: np.ndarray | None = None,
) -> Check:
    """|got - expected| <= bound element by element, over the elements `mask` keeps."""
    got64 = np.asarray(got, dtype=np.float64)
    exp64 = np.asarray(expected, dtype=np.float64)
    err = np.abs(got64 - exp64)
    bad = ~np.isfinite(got64)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(err == 0, 0.0, err / bound)
        rel = np.where(err == 0, 0.0, err / np.abs(exp64))
    ratio = np.where(bad, np.inf, ratio)
    rel = np.where(bad, np.inf, rel)
    err = np.where(bad, np.inf, err)
    if mask is not None:
        ratio, rel, err = (np.where(mask, a, 0.0) for a in (ratio, rel, err))
    n_checked = int(err.size if mask is None else np.count_nonzero(mask))
    if err.size == 0:
        return Check(True, 0.0, 0.0, 0.0, [], 0, 0)
    worst = np.unravel_index(int(np.argmax(ratio)), ratio.shape)
    off = ratio > 1
    return Check(
        passed=not bool(off.any()),
        max_abs_err=float(err.max()),
        max_rel_err=float(rel.max()),
        error_ratio=float(ratio[worst]),
        worst_index=[int(i) for i in worst],
        n_off=int(np.count_nonzero(off)),
        n_checked=n_checked,
        expected=float(exp64[worst]),
        got=float(got64[worst]),
        bound=float(bound[worst]),
        where=confinement(quantity, off),
        error_map=err,
    )


def confinement(quantity: str, off: np.ndarray) -> str:
    """Where the off elements sit when they share an axis value, e.g. 'all at row=0, ch=3'."""
    idx = np.argwhere(off)
    if len(idx) < 2:
        return ""
    shared = [
        f"{name}={int(idx[0, k])}"
        for k, name in enumerate(index_names(quantity, idx.shape[1]))
        if k < idx.shape[1] and (idx[:, k] == idx[0, k]).all()
    ]
    return "all at " + ", ".join(shared) if shared else ""


def scalar_check(lhs: float, rhs: float, bound: float) -> Check:
    """A check of one number (the adjoint test's two inner products)."""
    err = abs(lhs - rhs)
    finite = np.isfinite(lhs) and np.isfinite(rhs)
    scale = max(abs(lhs), abs(rhs))
    rel = err / scale if scale > 0 else (0.0 if err == 0 else np.inf)
    ratio = (0.0 if err == 0 else err / bound) if finite else np.inf
    if not finite:
        err = rel = np.inf
    return Check(
        passed=bool(ratio <= 1),
        max_abs_err=float(err),
        max_rel_err=float(rel),
        error_ratio=float(ratio),
        worst_index=[],
        n_off=int(ratio > 1),
        n_checked=1,
        expected=float(lhs),
        got=float(rhs),
        bound=float(bound),
    )


def inconclusive_check(reason: str) -> Check:
    """A check its oracle cannot decide at the case's precision: not a failure, never a silent
    pass (`inconclusive` in the report, counted apart in every summary)."""
    return Check(True, 0.0, 0.0, 0.0, [], 0, 0, note=reason, inconclusive=True)
