"""One case of the grid: a layer configuration plus a dtype, with a stable readable id.

An id reads ``n2-c4x6-g2-i5x7-k3x2-s2x1-p1.0.1.2-d1x2-op1x0-b1-relu-f64``: batch, in x out
channels, groups, input rows x cols, kernel rows x cols, stride, padding (top.bottom.left.right),
dilation, output padding, bias (b1/b0), activation, dtype.  Ids parse back into cases, so any
id can be rerun whether or not a grid holds it.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from reference_impl.config import ACTIVATIONS, DeconvConfig, make_config, output_shape

DTYPES: tuple[str, ...] = ("float64", "float32")
_DTYPE_TAGS = {"float64": "f64", "float32": "f32"}


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

    def __post_init__(self) -> None:
        for name in ("batch", "in_ch", "out_ch", "groups", "in_h", "in_w", "kh", "kw"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        if self.dtype not in DTYPES:
            raise ValueError(f"dtype must be one of {', '.join(DTYPES)}, got {self.dtype!r}")
        if self.out_ch % self.groups:
            raise ValueError(f"groups must divide out_ch = {self.out_ch}, got {self.groups}")
        output_shape(self.x_shape, self.w_shape, self.cfg)

    @property
    def cfg(self) -> DeconvConfig:
        return make_config(
            stride=self.stride,
            padding=self.padding,
            dilation=self.dilation,
            output_padding=self.output_padding,
            groups=self.groups,
            activation=self.activation,
        )

    @property
    def x_shape(self) -> tuple[int, int, int, int]:
        return (self.batch, self.in_h, self.in_w, self.in_ch)

    @property
    def w_shape(self) -> tuple[int, int, int, int]:
        return (self.kh, self.kw, self.in_ch, self.out_ch // self.groups)

    @property
    def y_shape(self) -> tuple[int, int, int, int]:
        return output_shape(self.x_shape, self.w_shape, self.cfg)

    @property
    def id(self) -> str:
        s, p, d, op = self.stride, self.padding, self.dilation, self.output_padding
        return (
            f"n{self.batch}-c{self.in_ch}x{self.out_ch}-g{self.groups}-i{self.in_h}x{self.in_w}"
            f"-k{self.kh}x{self.kw}-s{s[0]}x{s[1]}-p{p[0]}.{p[1]}.{p[2]}.{p[3]}"
            f"-d{d[0]}x{d[1]}-op{op[0]}x{op[1]}-b{int(self.bias)}-{self.activation}"
            f"-{_DTYPE_TAGS[self.dtype]}"
        )

    def as_report_config(self) -> dict[str, object]:
        """The `config` object of report.json (lists, not tuples)."""
        out = asdict(self)
        for key in ("stride", "padding", "dilation", "output_padding"):
            out[key] = list(out[key])
        return out

    def with_dtype(self, dtype: str) -> Case:
        return Case(**{**asdict(self), "dtype": dtype})


_ID_PATTERN = re.compile(
    r"^n(?P<batch>\d+)-c(?P<in_ch>\d+)x(?P<out_ch>\d+)-g(?P<groups>\d+)"
    r"-i(?P<in_h>\d+)x(?P<in_w>\d+)-k(?P<kh>\d+)x(?P<kw>\d+)-s(?P<sh>\d+)x(?P<sw>\d+)"
    r"-p(?P<pt>\d+)\.(?P<pb>\d+)\.(?P<pl>\d+)\.(?P<pr>\d+)-d(?P<dh>\d+)x(?P<dw>\d+)"
    r"-op(?P<oph>\d+)x(?P<opw>\d+)-b(?P<bias>[01])-(?P<act>[a-z_]+)-(?P<dtype>f64|f32)$"
)


def parse_case_id(case_id: str) -> Case:
    """The case an id names; ValueError saying what is wrong when it is not a valid id."""
    m = _ID_PATTERN.match(case_id)
    if m is None:
        raise ValueError(
            f"case id {case_id!r} does not read as "
            "n<batch>-c<in>x<out>-g<groups>-i<h>x<w>-k<kh>x<kw>-s<h>x<w>-p<t>.<b>.<l>.<r>"
            "-d<h>x<w>-op<h>x<w>-b<0|1>-<activation>-<f64|f32>"
        )
    text = m.groupdict()
    g = {k: int(v) for k, v in text.items() if k not in ("act", "dtype")}
    act = text["act"]
    if act not in ACTIVATIONS:
        raise ValueError(f"case id {case_id!r}: activation must be one of {', '.join(ACTIVATIONS)}")
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
        output_padding=(g["oph"], g["opw"]),
        bias=bool(g["bias"]),
        activation=act,
        dtype="float64" if text["dtype"] == "f64" else "float32",
    )
