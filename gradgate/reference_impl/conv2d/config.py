"""The configuration of an ordinary (not transposed) 2-D convolution and its validation.

Conventions (PyTorch Conv2d, channels-last arrays; docs/contract.md):

- stride, dilation: (rows, cols); dilation 1 means no dilation.
- padding: (top, bottom, left, right) zeros *added around the input*; PyTorch's ``padding=p``
  is (p, p, p, p).  (For the transposed convolution the same field is a crop of the output.)
- no output padding: a Conv2D config has no such field, and a config object that carries a
  non-zero ``output_padding`` is refused rather than silently ignored.

Each value alone is checked by `gradgate.reference_impl.params` (the rules and their messages are
the same for every layer kind); shapes are checked by `conv2d_output_shape`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from gradgate.reference_impl.params import (
    IntPair,
    Padding,
    as_int,
    check_geometry,
    check_groups_and_activation,
    four_sides,
    pair,
)


class Conv2DConfigLike(Protocol):
    """What the Conv2D functions read from a cfg (by attribute, read-only)."""

    @property
    def stride(self) -> tuple[int, int]: ...
    @property
    def padding(self) -> tuple[int, int, int, int]: ...
    @property
    def dilation(self) -> tuple[int, int]: ...
    @property
    def groups(self) -> int: ...
    @property
    def activation(self) -> str: ...


@dataclass(frozen=True)
class Conv2DConfig:
    """The hyperparameters of one convolution, in normalised form."""

    stride: tuple[int, int] = (1, 1)
    padding: tuple[int, int, int, int] = (0, 0, 0, 0)
    dilation: tuple[int, int] = (1, 1)
    groups: int = 1
    activation: str = "identity"
    # The compute precision the gate declares for the case (docs/precision.md): the products'
    # input precision ("float32"... or "tf32") and the accumulation's; "" outside the gate.
    input_precision: str = ""
    accumulate: str = ""
    dtype: str = ""  # the case's dtype ("float32", "bfloat16", ...); "" outside the gate


def make_conv2d_config(
    *,
    stride: IntPair = 1,
    padding: Padding = 0,
    dilation: IntPair = 1,
    groups: int = 1,
    activation: str | None = "identity",
) -> Conv2DConfig:
    """Normalise the short forms users write (an int, a pair) and validate each value alone."""
    cfg = Conv2DConfig(
        stride=pair("stride", stride),
        padding=four_sides(padding),
        dilation=pair("dilation", dilation),
        groups=as_int("groups", groups),
        activation="identity" if activation is None else activation,
    )
    validate_conv2d_config(cfg)
    return cfg


def validate_conv2d_config(cfg: Conv2DConfigLike) -> None:
    """Check each hyperparameter on its own (same rules and messages as the Deconv2D config)."""
    output_padding = tuple(getattr(cfg, "output_padding", (0, 0)))
    if any(output_padding):
        raise ValueError(
            f"output_padding must be (0, 0) for Conv2D (it has no output padding), "
            f"got {output_padding}"
        )
    check_geometry(tuple(cfg.stride), tuple(cfg.dilation), tuple(cfg.padding))
    check_groups_and_activation(cfg.groups, cfg.activation)


def conv2d_output_shape(
    x_shape: tuple[int, ...], w_shape: tuple[int, ...], cfg: Conv2DConfigLike
) -> tuple[int, int, int, int]:
    """(n, out_h, out_w, out_ch) for X (n, in_h, in_w, in_ch), W (kh, kw, in_ch // groups, out_ch).

    out = (in + pad_before + pad_after - dilation * (k - 1) - 1) // stride + 1
    """
    validate_conv2d_config(cfg)
    if len(x_shape) != 4:
        raise ValueError(f"X must have 4 dims (n, in_h, in_w, in_ch), got ndim {len(x_shape)}")
    if len(w_shape) != 4:
        raise ValueError(
            f"W must have 4 dims (kh, kw, in_ch // groups, out_ch), got ndim {len(w_shape)}"
        )
    n, in_h, in_w, in_ch = x_shape
    kh, kw, w_in, out_ch = w_shape
    for name, v in (("X batch", n), ("in_h", in_h), ("in_w", in_w), ("in_ch", in_ch)):
        if v < 1:
            raise ValueError(f"{name} must be >= 1, got {v}")
    for name, v in (("kh", kh), ("kw", kw), ("W out_ch", out_ch)):
        if v < 1:
            raise ValueError(f"{name} must be >= 1, got {v}")
    g = cfg.groups
    if in_ch % g:
        raise ValueError(f"groups must divide in_ch = {in_ch}, got groups = {g}")
    if out_ch % g:
        raise ValueError(f"groups must divide out_ch = {out_ch} (W.shape[3]), got groups = {g}")
    if w_in * g != in_ch:
        raise ValueError(
            f"W.shape[2] must be in_ch // groups = {in_ch} // {g} = {in_ch // g}, got {w_in}"
        )
    top, bottom, left, right = cfg.padding
    span_h = cfg.dilation[0] * (kh - 1) + 1
    span_w = cfg.dilation[1] * (kw - 1) + 1
    padded_h, padded_w = in_h + top + bottom, in_w + left + right
    if padded_h < span_h or padded_w < span_w:
        raise ValueError(
            f"the dilated kernel ({span_h}x{span_w}) must fit in the padded input "
            f"({padded_h}x{padded_w}): in_h + top + bottom must be >= dilation_h * (kh - 1) + 1 "
            f"= {span_h} and in_w + left + right >= {span_w}"
        )
    out_h = (padded_h - span_h) // cfg.stride[0] + 1
    out_w = (padded_w - span_w) // cfg.stride[1] + 1
    return (n, out_h, out_w, out_ch)
