"""The dtypes a case runs in, and the compute precision a layer may declare for them.

A case has a storage dtype (what the arrays are: float64, float32, float16 or bfloat16) and two
declarations, both handed to the implementation in `cfg` and used by every bound:

- the precision of the products' inputs: the dtype itself (the default) or `tf32`, which a
  float32 layer on tensor cores may declare (its products' inputs keep 10 mantissa bits);
- the accumulation precision: float64 for float64 cases, float32 for every other dtype by
  default (as real kernels accumulate float16 and bfloat16 convolutions), or a lower one a
  layer declares (`float16`, `bfloat16`).

A declaration that differs from the default is named in the case id after the dtype tag:
``...-f32-tf32``, ``...-f16-acc16``, ``...-bf16-accbf16``; default ids are unchanged.
bfloat16 arrays are numpy arrays of `ml_dtypes.bfloat16`, the type JAX uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

DTYPES: tuple[str, ...] = ("float64", "float32", "float16", "bfloat16")
DEFAULT_DTYPES: tuple[str, ...] = ("float64", "float32")  # what `--dtype` selects unless told
LOW_PRECISION: tuple[str, ...] = ("float16", "bfloat16")
DTYPE_TAGS: dict[str, str] = {
    "float64": "f64",
    "float32": "f32",
    "float16": "f16",
    "bfloat16": "bf16",
}
# Significand bits, the implicit one included: a correctly rounded value is within 2^-p.
SIGNIFICAND_BITS: dict[str, int] = {
    "float64": 53,
    "float32": 24,
    "tf32": 11,
    "float16": 11,
    "bfloat16": 8,
}
INPUT_PRECISIONS: tuple[str, ...] = ("dtype", "tf32")
_ACC_TAGS = {"float32": "acc32", "float16": "acc16", "bfloat16": "accbf16", "float64": "acc64"}


def unit_roundoff(precision: str) -> float:
    """u = 2^-p: the largest relative error of rounding to nearest in that precision."""
    return 2.0 ** -SIGNIFICAND_BITS[precision]


def default_accumulation(dtype: str) -> str:
    return "float64" if dtype == "float64" else "float32"


def numpy_dtype(dtype: str) -> np.dtype[Any]:
    """The numpy dtype of a case's arrays (bfloat16 from ml_dtypes, imported on first use)."""
    if dtype == "bfloat16":
        return np.dtype(_bfloat16())
    return np.dtype(dtype)


@cache
def _bfloat16() -> type:
    import ml_dtypes

    return ml_dtypes.bfloat16


def dtype_name(arr_dtype: np.dtype[Any]) -> str:
    """'float32', 'bfloat16', ...: the name a numpy dtype has in gradgate's terms."""
    return str(np.dtype(arr_dtype).name)


def round_to(values: np.ndarray, precision: str) -> np.ndarray:
    """float64 values rounded to nearest (ties to even) in `precision`, returned as float64."""
    if precision == "tf32":
        return round_to_tf32(values)
    return np.asarray(values).astype(numpy_dtype(precision)).astype(np.float64)


def round_to_tf32(values: np.ndarray) -> np.ndarray:
    """Round to TF32 (float32's exponent, 10 stored mantissa bits), nearest, ties to even."""
    bits = np.asarray(values, dtype=np.float32).view(np.uint32).astype(np.uint64)
    keep = 13  # float32 stores 23 mantissa bits; TF32 keeps 10
    half = np.uint64(1 << (keep - 1))
    lsb = (bits >> np.uint64(keep)) & np.uint64(1)
    rounded = (bits + half - np.uint64(1) + lsb) & ~np.uint64((1 << keep) - 1)
    finite = np.isfinite(np.asarray(values, dtype=np.float32))
    out = np.where(finite, rounded, bits).astype(np.uint32).view(np.float32)
    return out.astype(np.float64)


@dataclass(frozen=True)
class Precision:
    """A case's declared compute precision: storage dtype, products' inputs, accumulation."""

    dtype: str
    inputs: str  # "float32"..., or "tf32": what the products' factors are rounded to
    accumulate: str

    @property
    def u_store(self) -> float:
        return unit_roundoff(self.dtype)

    @property
    def u_inputs(self) -> float:
        """The rounding the products' factors get beyond the storage dtype (0: none)."""
        return 0.0 if self.inputs == self.dtype else unit_roundoff(self.inputs)

    @property
    def u_acc(self) -> float:
        return unit_roundoff(self.accumulate)

    @property
    def u_work(self) -> float:
        """The coarsest rounding any intermediate (Z, dZ, a partial sum) may get."""
        return max(self.u_store, self.u_acc)

    @property
    def bits(self) -> int:
        return SIGNIFICAND_BITS[self.dtype]


ALLOWED_ACCUMULATIONS: dict[str, tuple[str, ...]] = {
    "float64": ("float64",),
    "float32": ("float32",),
    "float16": ("float32", "float16"),
    "bfloat16": ("float32", "bfloat16"),
}


def check_declarations(dtype: str, inputs: str, accumulate: str) -> None:
    """ValueError naming the declaration and its allowed values when they do not fit `dtype`."""
    if dtype not in DTYPES:
        raise ValueError(f"dtype must be one of {', '.join(DTYPES)}, got {dtype!r}")
    allowed_inputs = (dtype, "tf32") if dtype == "float32" else (dtype,)
    if inputs not in allowed_inputs:
        raise ValueError(
            f"input precision for {dtype} must be one of {', '.join(allowed_inputs)}, "
            f"got {inputs!r}"
        )
    allowed = ALLOWED_ACCUMULATIONS[dtype]
    if accumulate not in allowed:
        raise ValueError(
            f"accumulation for {dtype} must be one of {', '.join(allowed)}, got {accumulate!r}"
        )


def precision_suffix(dtype: str, inputs: str, accumulate: str) -> str:
    """The part of a case id after the dtype tag: empty for the defaults."""
    out = ""
    if inputs == "tf32":
        out += "-tf32"
    if accumulate != default_accumulation(dtype):
        out += f"-{_ACC_TAGS[accumulate]}"
    return out


def parse_precision_suffix(text: str | None) -> tuple[str | None, str | None]:
    """('tf32' or None, accumulation or None) from '-tf32-acc16'-like id tails."""
    inputs = acc = None
    for part in (text or "").split("-"):
        if not part:
            continue
        if part == "tf32":
            inputs = "tf32"
            continue
        names = [name for name, tag in _ACC_TAGS.items() if tag == part]
        if not names:
            raise ValueError(f"unknown precision declaration {part!r} in a case id")
        acc = names[0]
    return inputs, acc
