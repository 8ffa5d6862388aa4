"""Which numeric kernels this process runs: numpy's SIMD dispatch, the BLAS core, torch's ISA.

Verdicts must not depend on them (a correct implementation passes within its bounds on every
path, and the suite asserts nothing about how two computations happen to round), but a log that
names them tells which paths a run really exercised, for example under
`OPENBLAS_CORETYPE=Haswell NPY_DISABLE_CPU_FEATURES=... ONEDNN_MAX_CPU_ISA=AVX2`.
"""

from __future__ import annotations

import os

# Environment variables that force a numeric path, quoted with the kernels they chose.
FORCING_VARIABLES = (
    "OPENBLAS_CORETYPE",
    "NPY_DISABLE_CPU_FEATURES",
    "ONEDNN_MAX_CPU_ISA",
    "ATEN_CPU_CAPABILITY",
)


def numpy_simd() -> str:
    """numpy's dispatched SIMD extensions, 'found' beyond the baseline (numpy >= 1.24)."""
    import numpy

    umath = numpy._core if hasattr(numpy, "_core") else numpy.core  # numpy 2 / numpy 1
    module = umath._multiarray_umath
    features = module.__cpu_features__
    found = [name for name in module.__cpu_dispatch__ if features.get(name)]
    return " ".join(found) or "baseline only"


def blas_cores() -> str:
    """Each BLAS library numpy (and torch) loaded, with its core type and threads."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (threadpoolctl is not installed)"
    import numpy  # noqa: F401  (loads numpy's BLAS, so threadpoolctl can see it)

    blas = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    return (
        ", ".join(
            f"{i['internal_api']} {i.get('version') or ''} {i.get('architecture') or ''} "
            f"({i['num_threads']} threads)".replace("  ", " ")
            for i in blas
        )
        or "none found"
    )


def torch_capability() -> str:
    try:
        import torch
    except ImportError:
        return "torch not installed"
    return str(torch.backends.cpu.get_cpu_capability())


def kernel_lines() -> list[str]:
    """One line each: the forcing variables set, numpy's SIMD, the BLAS cores, torch's ISA."""
    forced = [f"{v}={os.environ[v]}" for v in FORCING_VARIABLES if v in os.environ]
    return [
        f"numeric paths forced by: {' '.join(forced) or 'nothing'}",
        f"numpy SIMD dispatch: {numpy_simd()}",
        f"BLAS: {blas_cores()}",
        f"torch CPU capability: {torch_capability()}",
    ]
