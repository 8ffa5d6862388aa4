"""The configuration of a convolution over 1 to 3 spatial axes, and its validation.

PyTorch's Conv1d/3d and ConvTranspose1d/3d semantics, channels-last arrays; the 2-D kinds keep
their own configs (`gradgate.reference_impl.deconv2d.config`, `.conv2d.config`) and messages.

- stride, dilation (and output_padding for the transposed kind): one value per axis.
- padding: (before, after) on each axis in turn; zeros added around the input of the ordinary
  convolution, a crop of the full output of the transposed one.  PyTorch's ``padding=p`` is p on
  every side.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from gradgate.reference_impl.params import (
    AXIS_LABELS,
    SIDE_NAMES,
    IntPerAxis,
    Padding,
    as_int,
    check_geometry,
    check_groups_and_activation,
    per_axis,
    sides,
)


class Geometry(Protocol):
    """What the maths read from a cfg (by attribute, read-only), whatever its class."""

    @property
    def stride(self) -> tuple[int, ...]: ...
    @property
    def padding(self) -> tuple[int, ...]: ...
    @property
    def dilation(self) -> tuple[int, ...]: ...
    @property
    def groups(self) -> int: ...


class TransposedGeometry(Geometry, Protocol):
    @property
    def output_padding(self) -> tuple[int, ...]: ...


@dataclass(frozen=True)
class ConvNdConfig:
    """An ordinary convolution's hyperparameters, normalised (one entry per spatial axis)."""

    stride: tuple[int, ...] = (1,)
    padding: tuple[int, ...] = (0, 0)
    dilation: tuple[int, ...] = (1,)
    groups: int = 1
    activation: str = "identity"
    # The compute precision the gate declares (docs/precision.md); "" outside the gate.
    input_precision: str = ""
    accumulate: str = ""
    dtype: str = ""


@dataclass(frozen=True)
class DeconvNdConfig(ConvNdConfig):
    """A transposed convolution's hyperparameters: an ordinary one's and an output padding."""

    output_padding: tuple[int, ...] = (0,)


def make_conv_config(
    spatial: int,
    *,
    stride: IntPerAxis = 1,
    padding: Padding = 0,
    dilation: IntPerAxis = 1,
    groups: int = 1,
    activation: str | None = "identity",
) -> ConvNdConfig:
    """Normalise the short forms users write (an int, one per axis) and validate each alone."""
    cfg = ConvNdConfig(
        stride=per_axis("stride", stride, spatial),
        padding=sides(padding, spatial),
        dilation=per_axis("dilation", dilation, spatial),
        groups=as_int("groups", groups),
        activation="identity" if activation is None else activation,
    )
    validate(cfg)
    return cfg


def make_deconv_config(
    spatial: int,
    *,
    stride: IntPerAxis = 1,
    padding: Padding = 0,
    dilation: IntPerAxis = 1,
    output_padding: IntPerAxis = 0,
    groups: int = 1,
    activation: str | None = "identity",
) -> DeconvNdConfig:
    """`make_conv_config` with an output padding (each < max(stride, dilation) on its axis)."""
    cfg = DeconvNdConfig(
        stride=per_axis("stride", stride, spatial),
        padding=sides(padding, spatial),
        dilation=per_axis("dilation", dilation, spatial),
        output_padding=per_axis("output_padding", output_padding, spatial),
        groups=as_int("groups", groups),
        activation="identity" if activation is None else activation,
    )
    validate(cfg)
    return cfg


def spatial_of(cfg: ConvNdConfig) -> int:
    nd = len(tuple(cfg.stride))
    if nd not in AXIS_LABELS:
        raise ValueError(
            f"stride must have 1 to 3 entries (one per spatial axis), got {cfg.stride}"
        )
    return nd


def validate(cfg: ConvNdConfig) -> None:
    """Each hyperparameter on its own: lengths, ranges, groups, activation."""
    nd = spatial_of(cfg)
    labels = AXIS_LABELS[nd]
    for name, n in (("dilation", nd), ("padding", 2 * nd)):
        if len(tuple(getattr(cfg, name))) != n:
            raise ValueError(
                f"{name} must have {n} entries for {nd} spatial axes, got {getattr(cfg, name)}"
            )
    stride, dilation = tuple(cfg.stride), tuple(cfg.dilation)
    check_geometry(stride, dilation, tuple(cfg.padding))
    output_padding = tuple(getattr(cfg, "output_padding", (0,) * nd))
    if len(output_padding) != nd:
        raise ValueError(f"output_padding must have {nd} entries, got {output_padding}")
    for axis, op, s, d in zip(labels, output_padding, stride, dilation):
        if not isinstance(cfg, DeconvNdConfig) and op:
            raise ValueError(
                f"output_padding must be {(0,) * nd} for an ordinary convolution (it has none), "
                f"got {output_padding}"
            )
        if not 0 <= op < max(s, d):
            raise ValueError(
                f"output_padding on {axis} must be in [0, max(stride, dilation) - 1] = "
                f"[0, {max(s, d) - 1}], got {op}"
            )
    check_groups_and_activation(cfg.groups, cfg.activation)


def _shapes(
    x_shape: tuple[int, ...], w_shape: tuple[int, ...], nd: int, w_layout: str
) -> tuple[int, tuple[int, ...], int, tuple[int, ...], int, int]:
    """(n, size, in_ch, kernel, W's in axis, W's out axis), each checked >= 1."""
    if len(x_shape) != nd + 2:
        raise ValueError(
            f"X must have {nd + 2} dims (n, {nd} spatial, in_ch), got ndim {len(x_shape)}"
        )
    if len(w_shape) != nd + 2:
        raise ValueError(f"W must have {nd + 2} dims {w_layout}, got ndim {len(w_shape)}")
    n, *size, in_ch = x_shape
    *kernel, w_in, w_out = w_shape
    for name, v in (("X batch", n), ("in_ch", in_ch), ("W in", w_in), ("W out", w_out)):
        if v < 1:
            raise ValueError(f"{name} must be >= 1, got {v}")
    for label, v, k in zip(AXIS_LABELS[nd], size, kernel):
        if v < 1 or k < 1:
            raise ValueError(f"the input and kernel sizes must be >= 1, got {v} and {k} on {label}")
    return n, tuple(size), in_ch, tuple(kernel), w_in, w_out


def conv_output_shape(
    x_shape: tuple[int, ...], w_shape: tuple[int, ...], cfg: ConvNdConfig
) -> tuple[int, ...]:
    """(n, *out, out_ch) for X (n, *size, in_ch), W (*kernel, in_ch // groups, out_ch).

    out = (in + before + after - dilation * (k - 1) - 1) // stride + 1 on each axis
    """
    validate(cfg)
    nd = spatial_of(cfg)
    n, size, in_ch, kernel, w_in, out_ch = _shapes(
        x_shape, w_shape, nd, "(*kernel, in_ch // groups, out_ch)"
    )
    g = cfg.groups
    if in_ch % g:
        raise ValueError(f"groups must divide in_ch = {in_ch}, got groups = {g}")
    if out_ch % g:
        raise ValueError(f"groups must divide out_ch = {out_ch} (W.shape[-1]), got groups = {g}")
    if w_in * g != in_ch:
        raise ValueError(
            f"W.shape[-2] must be in_ch // groups = {in_ch} // {g} = {in_ch // g}, got {w_in}"
        )
    out = []
    for i, label in enumerate(AXIS_LABELS[nd]):
        span = cfg.dilation[i] * (kernel[i] - 1) + 1
        padded = size[i] + cfg.padding[2 * i] + cfg.padding[2 * i + 1]
        if padded < span:
            before, after = SIDE_NAMES[nd][2 * i : 2 * i + 2]
            raise ValueError(
                f"the dilated kernel ({span}) must fit in the padded input ({padded}) on {label}: "
                f"size + {before} + {after} must be >= dilation * (k - 1) + 1 = {span}"
            )
        out.append((padded - span) // cfg.stride[i] + 1)
    return (n, *out, out_ch)


def full_sizes(
    size: tuple[int, ...], kernel: tuple[int, ...], cfg: TransposedGeometry
) -> list[int]:
    """The uncropped transposed-convolution output length on each axis, output padding included."""
    return [
        (n - 1) * s + d * (k - 1) + 1 + op
        for n, k, s, d, op in zip(size, kernel, cfg.stride, cfg.dilation, cfg.output_padding)
    ]


def deconv_output_shape(
    x_shape: tuple[int, ...], w_shape: tuple[int, ...], cfg: DeconvNdConfig
) -> tuple[int, ...]:
    """(n, *out, out_ch) for X (n, *size, in_ch), W (*kernel, in_ch, out_ch // groups).

    out = (in - 1) * stride + dilation * (k - 1) + 1 + output_padding - before - after
    """
    validate(cfg)
    nd = spatial_of(cfg)
    n, size, in_ch, kernel, w_in, w_out = _shapes(
        x_shape, w_shape, nd, "(*kernel, in_ch, out_ch // groups)"
    )
    if w_in != in_ch:
        raise ValueError(f"X has {in_ch} input channels but W expects {w_in} (W.shape[-2])")
    if in_ch % cfg.groups:
        raise ValueError(f"groups must divide in_ch = {in_ch}, got groups = {cfg.groups}")
    full = full_sizes(size, kernel, cfg)
    out = [f - cfg.padding[2 * i] - cfg.padding[2 * i + 1] for i, f in enumerate(full)]
    if min(out) < 1:
        i = min(range(nd), key=lambda j: out[j])
        raise ValueError(
            f"padding crops the output to {out[i]} on {AXIS_LABELS[nd][i]}; it must keep at "
            f"least 1: the two sides must add up to <= {full[i] - 1}, got "
            f"{cfg.padding[2 * i]}+{cfg.padding[2 * i + 1]}"
        )
    return (n, *out, w_out * cfg.groups)
