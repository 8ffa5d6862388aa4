"""One case of the grid: a layer kind, its configuration and a dtype, with a stable readable id.

An id reads ``n2-c4x6-g2-i5x7-k3x2-s2x1-p1.0.1.2-d1x2-op1x0-b1-relu-f64``: batch, in x out
channels, groups, input rows x cols, kernel rows x cols, stride, padding (top.bottom.left.right),
dilation, output padding, bias (b1/b0), activation, dtype.  A layer kind other than Deconv2D
prefixes its name and, without output padding, has no ``op`` part:
``conv2d-n2-c4x6-g2-i5x7-k3x2-s2x1-p1.0.1.2-d1x2-b1-relu-f64``.  Ids parse back into cases,
so any id can be rerun whether or not a grid holds it.  What the configuration means (the
cfg, the shapes) is the layer kind's (`gradgate.cases.kinds`).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

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
    in_h: int
    in_w: int
    kh: int
    kw: int
    stride: tuple[int, int]
    padding: tuple[int, int, int, int]
    dilation: tuple[int, int]
    output_padding: tuple[int, int]
    bias: bool
    activation: str
    dtype: str
    layer: str = DEFAULT_LAYER
    inputs: str = ""  # the products' input precision ("tf32"); "" is the dtype itself
    accumulate: str = ""  # the accumulation precision; "" is the dtype's default

    def __post_init__(self) -> None:
        check_layer_name(self.layer)
        if self.dtype in DTYPES:  # defaults are stored as "", so a replaced dtype keeps them
            if self.inputs == self.dtype:
                object.__setattr__(self, "inputs", "")
            if self.accumulate == default_accumulation(self.dtype):
                object.__setattr__(self, "accumulate", "")
        p = self.precision if self.dtype in DTYPES else None
        check_declarations(self.dtype, p.inputs if p else "", p.accumulate if p else "")
        if self.out_ch % self.groups:
            raise ValueError(f"groups must divide out_ch = {self.out_ch}, got {self.groups}")
        if not self.kind.OUTPUT_PADDING and tuple(self.output_padding) != (0, 0):
            raise ValueError(
                f"output_padding must be (0, 0) for {self.layer} (it has none), "
                f"got {self.output_padding}"
            )
        self.kind.output_shape(self.x_shape, self.w_shape, self.cfg)

    @property
    def kind(self) -> LayerKind:
        return layer_kind(self.layer)

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
        return self.kind.config(self)

    @property
    def x_shape(self) -> tuple[int, int, int, int]:
        return (self.batch, self.in_h, self.in_w, self.in_ch)

    @property
    def w_shape(self) -> tuple[int, int, int, int]:
        return self.kind.w_shape(self)

    @property
    def y_shape(self) -> tuple[int, int, int, int]:
        return self.kind.output_shape(self.x_shape, self.w_shape, self.cfg)

    @property
    def id(self) -> str:
        s, p, d, op = self.stride, self.padding, self.dilation, self.output_padding
        kind = self.kind
        op_part = f"-op{op[0]}x{op[1]}" if kind.OUTPUT_PADDING else ""
        return (
            f"{kind.ID_PREFIX}n{self.batch}-c{self.in_ch}x{self.out_ch}-g{self.groups}"
            f"-i{self.in_h}x{self.in_w}-k{self.kh}x{self.kw}-s{s[0]}x{s[1]}"
            f"-p{p[0]}.{p[1]}.{p[2]}.{p[3]}-d{d[0]}x{d[1]}{op_part}-b{int(self.bias)}"
            f"-{self.activation}-{DTYPE_TAGS[self.dtype]}"
            f"{precision_suffix(self.dtype, self.precision.inputs, self.precision.accumulate)}"
        )

    def as_report_config(self) -> dict[str, object]:
        """The `config` object of report.json (lists, not tuples; the layer is the report's)."""
        out = asdict(self)
        del out["layer"], out["inputs"], out["accumulate"]
        out.update(self.declares)
        for key in ("stride", "padding", "dilation", "output_padding"):
            out[key] = list(out[key])
        return out

    def with_dtype(self, dtype: str, inputs: str = "", accumulate: str = "") -> Case:
        """The same configuration in another dtype (and declarations; "" is the default)."""
        return Case(**{**asdict(self), "dtype": dtype, "inputs": inputs, "accumulate": accumulate})


_ID_PATTERN = re.compile(
    r"^(?:(?P<layer>[a-z][a-z0-9_]*)-)?n(?P<batch>\d+)-c(?P<in_ch>\d+)x(?P<out_ch>\d+)-g(?P<groups>\d+)"
    r"-i(?P<in_h>\d+)x(?P<in_w>\d+)-k(?P<kh>\d+)x(?P<kw>\d+)-s(?P<sh>\d+)x(?P<sw>\d+)"
    r"-p(?P<pt>\d+)\.(?P<pb>\d+)\.(?P<pl>\d+)\.(?P<pr>\d+)-d(?P<dh>\d+)x(?P<dw>\d+)"
    r"(?:-op(?P<oph>\d+)x(?P<opw>\d+))?-b(?P<bias>[01])-(?P<act>[a-z_]+)-(?P<dtype>f64|f32|f16|bf16)"
    r"(?P<declared>(?:-tf32)?(?:-acc(?:64|32|16|bf16))?)$"
)


def parse_case_id(case_id: str) -> Case:
    """The case an id names; ValueError saying what is wrong when it is not a valid id."""
    m = _ID_PATTERN.match(case_id)
    if m is None:
        raise ValueError(
            f"case id {case_id!r} does not read as "
            "[<layer>-]n<batch>-c<in>x<out>-g<groups>-i<h>x<w>-k<kh>x<kw>-s<h>x<w>-p<t>.<b>.<l>.<r>"
            "-d<h>x<w>[-op<h>x<w>]-b<0|1>-<activation>-<f64|f32|f16|bf16>[-tf32][-acc16|-accbf16]"
        )
    text = m.groupdict()
    layer = text["layer"] or DEFAULT_LAYER
    if layer not in LAYER_KINDS or (text["layer"] and not layer_kind(layer).ID_PREFIX):
        raise ValueError(
            f"case id {case_id!r}: the layer prefix must be one of "
            f"{', '.join(layer_kind(k).ID_PREFIX for k in LAYER_KINDS if layer_kind(k).ID_PREFIX)}"
            f" or none (Deconv2D), got {text['layer']!r}"
        )
    if (text["oph"] is not None) != layer_kind(layer).OUTPUT_PADDING:
        need = "needs an" if layer_kind(layer).OUTPUT_PADDING else "has no"
        raise ValueError(f"case id {case_id!r}: a {layer} id {need} -op<h>x<w> part")
    skip = ("layer", "act", "dtype", "declared")
    g = {k: int(v) for k, v in text.items() if k not in skip and v is not None}
    act = text["act"]
    if act not in ACTIVATIONS:
        raise ValueError(f"case id {case_id!r}: activation must be one of {', '.join(ACTIVATIONS)}")
    dtype = next(name for name, tag in DTYPE_TAGS.items() if tag == text["dtype"])
    inputs, accumulate = parse_precision_suffix(text["declared"])
    if accumulate == default_accumulation(dtype):
        raise ValueError(f"case id {case_id!r}: {accumulate} accumulation is the default: drop it")
    return Case(
        batch=g["batch"],
        in_ch=g["in_ch"],
        out_ch=g["out_ch"],
        groups=g["groups"],
        in_h=g["in_h"],
        in_w=g["in_w"],
        kh=g["kh"],
        kw=g["kw"],
        stride=(g["sh"], g["sw"]),
        padding=(g["pt"], g["pb"], g["pl"], g["pr"]),
        dilation=(g["dh"], g["dw"]),
        output_padding=(g.get("oph", 0), g.get("opw", 0)),
        bias=bool(g["bias"]),
        activation=act,
        dtype=dtype,
        layer=layer,
        inputs=inputs or "",
        accumulate=accumulate or "",
    )
