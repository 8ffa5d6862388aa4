"""One case of the grid: a layer kind, its configuration and a dtype, with a stable readable id.

An id reads ``n2-c4x6-g2-i5x7-k3x2-s2x1-p1.0.1.2-d1x2-op1x0-b1-relu-f64``: batch, in x out
channels, groups, input rows x cols, kernel rows x cols, stride, padding (top.bottom.left.right),
dilation, output padding, bias (b1/b0), activation, dtype.  A layer kind other than Deconv2D
prefixes its name and, without output padding, has no ``op`` part:
``conv2d-n2-c4x6-g2-i5x7-k3x2-s2x1-p1.0.1.2-d1x2-b1-relu-f64``.  Ids parse back into cases,
so any id can be rerun whether or not a grid holds it.  What the configuration means (the
cfg, the shapes) is the layer kind's (`gradgate.cases.kinds`).

The number of spatial axes is the kind's (`SPATIAL`): a 1-D id reads ``-i9-k3-s2-p1.0-d1``, a
3-D one ``-i4x5x6-k3x3x2-s2x1x1-p1.0.0.0.1.2-d1x1x2`` (depth, rows, cols; padding before and
after on each axis in turn).  `size`, `kernel`, `stride`, `dilation` and `output_padding` have
one entry per axis, `padding` two.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from gradgate.cases.axes import kernel_fields, letters, size_fields
from gradgate.cases.dtypes import (
    DTYPE_TAGS,
    DTYPES,
    Precision,
    check_declarations,
    default_accumulation,
    parse_precision_suffix,
    precision_suffix,
)
from gradgate.cases.kind import LayerKind
from gradgate.cases.kinds import DEFAULT_LAYER, LAYER_KINDS, check_layer_name, layer_kind
from gradgate.reference_impl.activations import ACTIVATIONS

__all__ = ["DTYPES", "Case", "parse_case_id"]


@dataclass(frozen=True)
class Case:
    """A configuration of the layer under test and the dtype it runs in."""

    batch: int
    in_ch: int
    out_ch: int
    groups: int
    size: tuple[int, ...]  # the input's spatial size, one entry per axis
    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...]  # (before, after) per axis: (top, bottom, left, right) in 2-D
    dilation: tuple[int, ...]
    output_padding: tuple[int, ...]  # () for a kind without one: zeros
    bias: bool
    activation: str
    dtype: str
    layer: str = DEFAULT_LAYER
    inputs: str = ""  # the products' input precision ("tf32"); "" is the dtype itself
    accumulate: str = ""  # the accumulation precision; "" is the dtype's default

    def __post_init__(self) -> None:
        check_layer_name(self.layer)
        nd = self.spatial
        if not self.output_padding:
            object.__setattr__(self, "output_padding", (0,) * nd)
        for name, n in (
            ("size", nd),
            ("kernel", nd),
            ("stride", nd),
            ("dilation", nd),
            ("output_padding", nd),
            ("padding", 2 * nd),
        ):
            value = tuple(getattr(self, name))
            if len(value) != n:
                raise ValueError(
                    f"{name} must have {n} entries for {self.layer} ({nd} spatial axes), "
                    f"got {value}"
                )
            object.__setattr__(self, name, value)
        if self.dtype in DTYPES:  # defaults are stored as "", so a replaced dtype keeps them
            if self.inputs == self.dtype:
                object.__setattr__(self, "inputs", "")
            if self.accumulate == default_accumulation(self.dtype):
                object.__setattr__(self, "accumulate", "")
        p = self.precision if self.dtype in DTYPES else None
        check_declarations(self.dtype, p.inputs if p else "", p.accumulate if p else "")
        if self.out_ch % self.groups:
            raise ValueError(f"groups must divide out_ch = {self.out_ch}, got {self.groups}")
        if not self.kind.OUTPUT_PADDING and any(self.output_padding):
            raise ValueError(
                f"output_padding must be {(0,) * nd} for {self.layer} (it has none), "
                f"got {self.output_padding}"
            )
        self.kind.output_shape(self.x_shape, self.w_shape, self.cfg)

    @property
    def kind(self) -> LayerKind:
        return layer_kind(self.layer)

    @property
    def spatial(self) -> int:
        """The number of spatial axes (the kind's)."""
        return int(self.kind.SPATIAL)

    # The contract's 2-D names: a 2-D case's rows and cols.
    @property
    def in_h(self) -> int:
        return self._2d(self.size)[0]

    @property
    def in_w(self) -> int:
        return self._2d(self.size)[1]

    @property
    def kh(self) -> int:
        return self._2d(self.kernel)[0]

    @property
    def kw(self) -> int:
        return self._2d(self.kernel)[1]

    def _2d(self, values: tuple[int, ...]) -> tuple[int, ...]:
        if self.spatial != 2:
            raise AttributeError(
                f"a {self.layer} case has {self.spatial} spatial axes, not rows and cols"
            )
        return values

    @property
    def precision(self) -> Precision:
        """The declared compute precision (dtype, products' inputs, accumulation)."""
        return Precision(
            self.dtype,
            self.inputs or self.dtype,
            self.accumulate or default_accumulation(self.dtype),
        )

    @property
    def declares(self) -> dict[str, str]:
        """The declarations that differ from the dtype's defaults, by report name."""
        out = {}
        if self.inputs:
            out["input_precision"] = self.inputs
        if self.accumulate:
            out["accumulate"] = self.accumulate
        return out

    @property
    def cfg(self) -> Any:
        """The read-only configuration object the implementation receives."""
        return _config(self)

    @property
    def x_shape(self) -> tuple[int, ...]:
        return (self.batch, *self.size, self.in_ch)

    @property
    def w_shape(self) -> tuple[int, ...]:
        return self.kind.w_shape(self)

    @property
    def y_shape(self) -> tuple[int, ...]:
        return _y_shape(self)

    @property
    def out_size(self) -> tuple[int, ...]:
        """The output's spatial size."""
        return self.y_shape[1:-1]

    @property
    def id(self) -> str:
        kind = self.kind
        op_part = f"-op{_x(self.output_padding)}" if kind.OUTPUT_PADDING else ""
        return (
            f"{kind.ID_PREFIX}n{self.batch}-c{self.in_ch}x{self.out_ch}-g{self.groups}"
            f"-i{_x(self.size)}-k{_x(self.kernel)}-s{_x(self.stride)}"
            f"-p{'.'.join(map(str, self.padding))}-d{_x(self.dilation)}{op_part}"
            f"-b{int(self.bias)}-{self.activation}-{DTYPE_TAGS[self.dtype]}"
            f"{precision_suffix(self.dtype, self.precision.inputs, self.precision.accumulate)}"
        )

    def as_report_config(self) -> dict[str, object]:
        """The `config` object of report.json (lists, not tuples; the layer is the report's):
        the input size and kernel one field per axis (`in_h`, `in_w`, `kh`, `kw` in 2-D)."""
        nd = self.spatial
        out: dict[str, object] = {
            "batch": self.batch,
            "in_ch": self.in_ch,
            "out_ch": self.out_ch,
            "groups": self.groups,
        }
        out.update(zip(size_fields(nd), self.size))
        out.update(zip(kernel_fields(nd), self.kernel))
        for key in ("stride", "padding", "dilation", "output_padding"):
            out[key] = list(getattr(self, key))
        out.update(bias=self.bias, activation=self.activation, dtype=self.dtype)
        out.update(self.declares)
        return out

    def with_dtype(self, dtype: str, inputs: str = "", accumulate: str = "") -> Case:
        """The same configuration in another dtype (and declarations; "" is the default)."""
        return replace(self, dtype=dtype, inputs=inputs, accumulate=accumulate)


def _x(values: tuple[int, ...]) -> str:
    return "x".join(map(str, values))


_AXES = r"\d+(?:x\d+)*"
_ID_PATTERN = re.compile(
    r"^(?:(?P<layer>[a-z][a-z0-9_]*)-)?n(?P<batch>\d+)-c(?P<in_ch>\d+)x(?P<out_ch>\d+)-g(?P<groups>\d+)"
    rf"-i(?P<size>{_AXES})-k(?P<kernel>{_AXES})-s(?P<stride>{_AXES})"
    rf"-p(?P<padding>\d+(?:\.\d+)*)-d(?P<dilation>{_AXES})"
    rf"(?:-op(?P<output_padding>{_AXES}))?-b(?P<bias>[01])-(?P<act>[a-z_]+)-(?P<dtype>f64|f32|f16|bf16)"
    r"(?P<declared>(?:-tf32)?(?:-acc(?:64|32|16|bf16))?)$"
)
_PER_AXIS = ("size", "kernel", "stride", "dilation", "output_padding")


def parse_case_id(case_id: str) -> Case:
    """The case an id names; ValueError saying what is wrong when it is not a valid id."""
    m = _ID_PATTERN.match(case_id)
    if m is None:
        raise ValueError(
            f"case id {case_id!r} does not read as "
            "[<layer>-]n<batch>-c<in>x<out>-g<groups>-i<h>x<w>-k<kh>x<kw>-s<h>x<w>-p<t>.<b>.<l>.<r>"
            "-d<h>x<w>[-op<h>x<w>]-b<0|1>-<activation>-<f64|f32|f16|bf16>[-tf32][-acc16|-accbf16]"
            " (one value per spatial axis, 1 for a 1-D layer and 3 for a 3-D one; padding two)"
        )
    text = m.groupdict()
    layer = text["layer"] or DEFAULT_LAYER
    if layer not in LAYER_KINDS or (text["layer"] and not layer_kind(layer).ID_PREFIX):
        raise ValueError(
            f"case id {case_id!r}: the layer prefix must be one of "
            f"{', '.join(layer_kind(k).ID_PREFIX for k in LAYER_KINDS if layer_kind(k).ID_PREFIX)}"
            f" or none (Deconv2D), got {text['layer']!r}"
        )
    kind = layer_kind(layer)
    axes = "x".join(f"<{a}>" for a in letters(kind.SPATIAL))
    if (text["output_padding"] is not None) != kind.OUTPUT_PADDING:
        need = "needs an" if kind.OUTPUT_PADDING else "has no"
        raise ValueError(f"case id {case_id!r}: a {layer} id {need} -op{axes} part")
    per_axis = {
        name: tuple(int(v) for v in text[name].split("x"))
        for name in _PER_AXIS
        if text[name] is not None
    }
    per_axis["padding"] = tuple(int(v) for v in text["padding"].split("."))
    for name, values in per_axis.items():
        want = 2 * kind.SPATIAL if name == "padding" else kind.SPATIAL
        each = ", before and after each" if name == "padding" else ""
        if len(values) != want:
            raise ValueError(
                f"case id {case_id!r}: a {layer} id has {want} {name} values "
                f"({kind.SPATIAL} spatial axes{each}), got {len(values)}"
            )
    act = text["act"]
    if act not in ACTIVATIONS:
        raise ValueError(f"case id {case_id!r}: activation must be one of {', '.join(ACTIVATIONS)}")
    dtype = next(name for name, tag in DTYPE_TAGS.items() if tag == text["dtype"])
    inputs, accumulate = parse_precision_suffix(text["declared"])
    if accumulate == default_accumulation(dtype):
        raise ValueError(f"case id {case_id!r}: {accumulate} accumulation is the default: drop it")
    return Case(
        batch=int(text["batch"]),
        in_ch=int(text["in_ch"]),
        out_ch=int(text["out_ch"]),
        groups=int(text["groups"]),
        size=per_axis["size"],
        kernel=per_axis["kernel"],
        stride=per_axis["stride"],
        padding=per_axis["padding"],
        dilation=per_axis["dilation"],
        output_padding=per_axis.get("output_padding", ()),
        bias=text["bias"] == "1",
        activation=act,
        dtype=dtype,
        layer=layer,
        inputs=inputs or "",
        accumulate=accumulate or "",
    )


# A case is frozen, and so is its configuration: each is computed once per case, not on each of
# the oracles' thousands of reads (a finite-difference pass reads them on every call).
@lru_cache(maxsize=4096)
def _config(case: Case) -> Any:
    return case.kind.config(case)


@lru_cache(maxsize=4096)
def _y_shape(case: Case) -> tuple[int, ...]:
    return case.kind.output_shape(case.x_shape, case.w_shape, case.cfg)
