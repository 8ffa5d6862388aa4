"""Translations shared by the framework adapters: layouts (NCHW, weight axes) and padding.

The contract's arrays are channels-last: X (n, h, w, in), W (kh, kw, in, out / groups).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gradgate.cases.axes import channels_first, channels_last


def fresh(a: np.ndarray) -> np.ndarray:
    """A C-contiguous copy with canonical strides: np.ascontiguousarray keeps the negative
    strides of a one-element reversed view, which converters through DLPack (MLX) refuse."""
    return np.array(a, order="C", copy=True)


def nchw(a: np.ndarray) -> np.ndarray:
    """(n, h, w, c) -> (n, c, h, w), a C-contiguous copy (canonical strides); channels first
    likewise for any number of spatial axes."""
    return np.array(a.transpose(channels_first(a.ndim)), order="C")


def nhwc(a: np.ndarray) -> np.ndarray:
    """(n, c, h, w) -> (n, h, w, c), a C-contiguous copy (any number of spatial axes)."""
    return np.array(a.transpose(channels_last(a.ndim)), order="C")


def weight_in_out(W: np.ndarray) -> np.ndarray:
    """(kh, kw, in, out / groups) -> (in, out / groups, kh, kw): PyTorch's, Paddle's, tinygrad's
    (a transposed convolution's weight, any number of spatial axes)."""
    nd = W.ndim - 2
    return np.array(W.transpose(nd, nd + 1, *range(nd)), order="C")


def weight_from_in_out(dW: np.ndarray) -> np.ndarray:
    """(in, out / groups, kh, kw) -> (kh, kw, in, out / groups)."""
    nd = dW.ndim - 2
    return np.array(dW.transpose(*range(2, nd + 2), 0, 1), order="C")


def weight_out_in(W: np.ndarray) -> np.ndarray:
    """An ordinary convolution's (*kernel, in / groups, out) -> (out, in / groups, *kernel):
    PyTorch's, Paddle's, tinygrad's, MLX's (after its own transpose)."""
    nd = W.ndim - 2
    return np.array(W.transpose(nd + 1, nd, *range(nd)), order="C")


def weight_from_out_in(dW: np.ndarray) -> np.ndarray:
    """(out, in / groups, *kernel) -> (*kernel, in / groups, out)."""
    nd = dW.ndim - 2
    return np.array(dW.transpose(*range(2, nd + 2), 1, 0), order="C")


def symmetric_part(padding: tuple[int, ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The symmetric padding per axis, and what remains to crop, (before, after) per axis.

    Symmetric padding p crops p rows/cols from each side of the full output, so asymmetric
    padding is its symmetric part plus a crop of the rest: the same map (any number of axes).
    """
    sym = tuple(min(padding[2 * i], padding[2 * i + 1]) for i in range(len(padding) // 2))
    rest = tuple(side - sym[i // 2] for i, side in enumerate(padding))
    return sym, rest


def crop(z: Any, rest: tuple[int, ...], *, h_axis: int) -> Any:
    """z with rest = (before, after) per axis cropped on the axes from h_axis on."""
    index: list[slice] = [slice(None)] * len(z.shape)
    for i in range(len(rest) // 2):
        axis = h_axis + i
        index[axis] = slice(rest[2 * i], z.shape[axis] - rest[2 * i + 1])
    return z[tuple(index)]


def input_padding(cfg: Any, *kernel: int) -> tuple[tuple[int, int], ...]:
    """The padding of the stride-dilated input that makes a convolution the transposed one.

    Per axis (dilation * (k - 1) - before, dilation * (k - 1) - after + output_padding); negative
    where the contract's padding exceeds dilation * (k - 1) (a crop of the input).  `kernel` is
    the kernel's size on each axis (kh, kw in 2-D).
    """
    out = []
    for i, k in enumerate(kernel):
        extra = cfg.dilation[i] * (k - 1)
        before, after = cfg.padding[2 * i], cfg.padding[2 * i + 1]
        out.append((extra - before, extra - after + cfg.output_padding[i]))
    return tuple(out)


def as_float32_if_bf16(a: np.ndarray) -> np.ndarray:
    """bfloat16 (ml_dtypes) as float32, exactly, for a framework that reads no ml_dtypes array
    (it then casts to its own bfloat16); any other array as it is."""
    return a.astype(np.float32) if a.dtype.name == "bfloat16" else a


def in_dtype(values: np.ndarray, dtype: np.dtype[Any]) -> np.ndarray:
    """A framework's result (float32 for its bfloat16) back in the case's dtype, exactly."""
    return values if values.dtype == dtype else values.astype(dtype)
