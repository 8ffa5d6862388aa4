"""The configuration of a transposed 2-D convolution and its validation.

Conventions (PyTorch ConvTranspose2d, channels-last arrays):

- stride, dilation, output_padding: (rows, cols); dilation 1 means no dilation.
- padding: (top, bottom, left, right), rows/cols cropped from the full transposed-convolution
  output; PyTorch's ``padding=p`` is (p, p, p, p).
- output_padding: extra rows/cols at the bottom/right, each < max(stride, dilation) on its axis.
"""

from __future__ import annotations

from dataclasses import dataclass

from gradgate.reference_impl.params import (
    IntPair,
    Padding,
    as_int,
    check_geometry,
    check_groups_and_activation,
    four_sides,
    pair,
)


@dataclass(frozen=True)
class DeconvConfig:
    """The hyperparameters of one transposed convolution, in normalised form."""

    stride: tuple[int, int] = (1, 1)
    padding: tuple[int, int, int, int] = (0, 0, 0, 0)
    dilation: tuple[int, int] = (1, 1)
    output_padding: tuple[int, int] = (0, 0)
    groups: int = 1
    activation: str = "identity"
    # The compute precision the gate declares for the case (docs/precision.md): the products'
    # input precision ("float32"... or "tf32") and the accumulation's; "" outside the gate.
    input_precision: str = ""
    accumulate: str = ""
    dtype: str = ""  # the case's dtype ("float32", "bfloat16", ...); "" outside the gate


def make_config(
    *,
    stride: IntPair = 1,
    padding: Padding = 0,
    dilation: IntPair = 1,
    output_padding: IntPair = 0,
    groups: int = 1,
    activation: str | None = "identity",
) -> DeconvConfig:
    """Normalise the short forms users write (an int, a pair) and validate each value alone."""
    cfg = DeconvConfig(
        stride=pair("stride", stride),
        padding=four_sides(padding),
        dilation=pair("dilation", dilation),
        output_padding=pair("output_padding", output_padding),
        groups=as_int("groups", groups),
        activation="identity" if activation is None else activation,
    )
    validate_config(cfg)
    return cfg


def validate_config(cfg: DeconvConfig) -> None:
    """Check each hyperparameter on its own; shapes are checked by `output_shape`."""
    stride, dilation = tuple(cfg.stride), tuple(cfg.dilation)
    check_geometry(stride, dilation, tuple(cfg.padding))
    for axis, op, s, d in zip(("rows", "cols"), tuple(cfg.output_padding), stride, dilation):
        if not 0 <= op < max(s, d):
            raise ValueError(
                f"output_padding on {axis} must be in [0, max(stride, dilation) - 1] = "
                f"[0, {max(s, d) - 1}], got {op}"
            )
    check_groups_and_activation(cfg.groups, cfg.activation)


def output_shape(
    x_shape: tuple[int, ...], w_shape: tuple[int, ...], cfg: DeconvConfig
) -> tuple[int, int, int, int]:
    """(n, out_h, out_w, out_ch) for X (n, in_h, in_w, in_ch), W (kh, kw, in_ch, out_ch // groups).

    out = (in - 1) * stride + dilation * (k - 1) + 1 + output_padding - pad_before - pad_after
    """
    validate_config(cfg)
    if len(x_shape) != 4:
        raise ValueError(f"X must have 4 dims (n, in_h, in_w, in_ch), got ndim {len(x_shape)}")
    if len(w_shape) != 4:
        raise ValueError(
            f"W must have 4 dims (kh, kw, in_ch, out_ch // groups), got ndim {len(w_shape)}"
        )
    n, in_h, in_w, in_ch = x_shape
    kh, kw, w_in, w_out = w_shape
    for name, v in (("X batch", n), ("in_h", in_h), ("in_w", in_w), ("in_ch", in_ch)):
        if v < 1:
            raise ValueError(f"{name} must be >= 1, got {v}")
    for name, v in (("kh", kh), ("kw", kw), ("W out_ch // groups", w_out)):
        if v < 1:
            raise ValueError(f"{name} must be >= 1, got {v}")
    if w_in != in_ch:
        raise ValueError(f"X has {in_ch} input channels but W expects {w_in} (W.shape[2])")
    if in_ch % cfg.groups:
        raise ValueError(f"groups must divide in_ch = {in_ch}, got groups = {cfg.groups}")
    full_h, full_w = full_size(in_h, kh, cfg, 0), full_size(in_w, kw, cfg, 1)
    top, bottom, left, right = cfg.padding
    out_h, out_w = full_h - top - bottom, full_w - left - right
    if out_h < 1 or out_w < 1:
        raise ValueError(
            f"padding crops the output to {out_h}x{out_w}; it must be at least 1x1: "
            f"top + bottom must be <= {full_h - 1} and left + right <= {full_w - 1}, "
            f"got {top}+{bottom} and {left}+{right}"
        )
    return (n, out_h, out_w, w_out * cfg.groups)


def full_size(size_in: int, k: int, cfg: DeconvConfig, axis: int) -> int:
    """The uncropped output length on one axis, output padding included."""
    s, d, op = cfg.stride[axis], cfg.dilation[axis], cfg.output_padding[axis]
    return (size_in - 1) * s + d * (k - 1) + 1 + op
