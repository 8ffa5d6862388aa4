"""The N-D reference kernels' own pieces (gradgate.reference_impl.nd); the kernels themselves are
gated against torch by tests/kinds/test_every_kind_gate.py."""

from __future__ import annotations

import ml_dtypes
import numpy as np
import pytest

from gradgate.reference_impl.nd.direct import padded


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16, ml_dtypes.bfloat16])
@pytest.mark.parametrize(
    ("shape", "padding"),
    [
        ((2, 7, 3), (3, 0)),
        ((2, 5, 4, 3), (1, 2, 0, 3)),
        ((1, 3, 4, 5, 2), (1, 1, 0, 2, 2, 0)),
        ((2, 5, 5, 3), (0, 0, 0, 0)),
    ],
)
def test_zero_padding_is_np_pad_s(shape: tuple[int, ...], padding: tuple[int, ...], dtype) -> None:
    X = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    pads = [(0, 0), *zip(padding[0::2], padding[1::2]), (0, 0)]
    got, want = padded(X, padding), np.pad(X, pads)
    assert got.dtype == X.dtype and got.shape == want.shape and got.flags.c_contiguous
    assert np.array_equal(got.view(np.uint8), want.view(np.uint8))  # the same bits, -0.0 too
