"""The factor vocabulary of the diagnosis: levels that a case's report config either has or not.

Each level is a predicate on the `config` object of report.json (docs/contract.md), named
as a factor and a level (`dilation_h`, `>1`) and read as a phrase ("dilation_h > 1").  Some
factors are derived (asymmetric padding, depthwise groups, padding beyond the kernel) and some
span both axes (`dilation`: > 1 on rows or cols), because a bug in one piece of code usually
shows on either axis.  Levels of one factor may overlap; the
rule search (`attribution.py`) never puts two levels of one factor in the same rule.
A config without a field (a conv2d report has no output padding) simply lacks those levels.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gradgate.cases.axes import kernel_fields, letters, spatial_of_config
from gradgate.cases.case import parse_case_id
from gradgate.reference_impl.activations import ACTIVATIONS

Config = Mapping[str, Any]


@dataclass(frozen=True)
class Level:
    """One level of one factor: `holds(config)` says whether a case has it."""

    factor: str
    value: str
    phrase: str
    fields: tuple[str, ...]  # the Case fields it reads, the one it is mainly about first
    test: Callable[..., bool]  # (config) -> bool; lambdas bind loop values as defaults

    def holds(self, config: Config) -> bool:
        try:
            return bool(self.test(config))
        except (KeyError, IndexError, TypeError, ValueError, ZeroDivisionError):
            return False  # a field this kind of report does not have


# Every axis letter any kind has, with its label; a level on an axis a case lacks never holds.
_AXES = (("l", "length"), ("d", "depth"), ("h", "rows"), ("w", "cols"))


def _at(c: Config, letter: str) -> int:
    """The index of axis `letter` in a config's per-axis lists (ValueError if it has none)."""
    return letters(spatial_of_config(c)).index(letter)


def _kernels(c: Config) -> list[int]:
    return [c[k] for k in kernel_fields(spatial_of_config(c))]


def _pair_levels(name: str, plain: int, label: str) -> list[Level]:
    """`name` is a per-axis pair (stride, dilation, output_padding) whose plain value is `plain`."""
    above = ">1" if plain == 1 else ">0"
    levels = [
        Level(
            name,
            above,
            f"{label} {above[0]} {above[1:]} on rows or cols",
            (name,),
            lambda c: max(c[name]) > plain,
        ),
        Level(
            name,
            f"{plain}x{plain}",
            f"{label} {plain}x{plain}",
            (name,),
            lambda c: max(c[name]) == plain,
        ),
    ]
    for axis, _ in _AXES:
        factor = f"{name}_{axis}"
        levels += [
            Level(
                factor,
                above,
                f"{factor} {above[0]} {above[1:]}",
                (name,),
                lambda c, a=axis: c[name][_at(c, a)] > plain,
            ),
            Level(
                factor,
                str(plain),
                f"{factor} = {plain}",
                (name,),
                lambda c, a=axis: c[name][_at(c, a)] == plain,
            ),
        ]
    return levels


def _padding_levels() -> list[Level]:
    levels = [
        Level(
            "padding",
            "asymmetric",
            "asymmetric padding (top != bottom or left != right)",
            ("padding",),
            lambda c: any(p != q for p, q in zip(c["padding"][::2], c["padding"][1::2])),
        ),
        Level("padding", ">0", "padding > 0", ("padding",), lambda c: max(c["padding"]) > 0),
        Level("padding", "0", "no padding", ("padding",), lambda c: max(c["padding"]) == 0),
    ]
    for axis, label in _AXES:
        factor, k = f"padding_{axis}", f"k{axis}"
        levels += [
            Level(
                factor,
                "asymmetric",
                f"asymmetric padding on {label}",
                ("padding",),
                lambda c, a=axis: len(set(_sides(c, a))) > 1,
            ),
            Level(
                factor,
                "symmetric",
                f"symmetric padding on {label}",
                ("padding",),
                lambda c, a=axis: len(set(_sides(c, a))) == 1,
            ),
            Level(
                factor,
                ">0",
                f"{factor} > 0",
                ("padding",),
                lambda c, a=axis: max(_sides(c, a)) > 0,
            ),
            Level(
                factor,
                f"> {k}-1",
                f"padding on {label} beyond the kernel ({factor} > {k}-1)",
                ("padding", k),
                lambda c, a=axis, k=k: max(_sides(c, a)) > c[k] - 1,
            ),
        ]
    return levels


def _sides(c: Config, letter: str) -> tuple[int, int]:
    i = _at(c, letter)
    return c["padding"][2 * i], c["padding"][2 * i + 1]


def _size_levels(field: str, label: str) -> list[Level]:
    return [
        Level(field, ">1", f"{label} > 1", (field,), lambda c: c[field] > 1),
        Level(field, "1", f"{label} = 1", (field,), lambda c: c[field] == 1),
    ]


def _channel_levels() -> list[Level]:
    return [
        Level("groups", ">1", "groups > 1", ("groups",), lambda c: c["groups"] > 1),
        Level("groups", "1", "groups = 1", ("groups",), lambda c: c["groups"] == 1),
        Level(
            "groups",
            "depthwise",
            "depthwise groups (groups = in_ch > 1)",
            ("groups", "in_ch"),
            lambda c: c["groups"] == c["in_ch"] > 1,
        ),
        Level(
            "out_ch_per_group",
            ">1",
            "more than one output channel per group",
            ("out_ch", "groups"),
            lambda c: c["out_ch"] // c["groups"] > 1,
        ),
        Level(
            "out_ch_per_group",
            "1",
            "one output channel per group",
            ("out_ch", "groups"),
            lambda c: c["out_ch"] // c["groups"] == 1,
        ),
        *_size_levels("in_ch", "in_ch"),
        *_size_levels("out_ch", "out_ch"),
    ]


def _kernel_levels() -> list[Level]:
    return [
        Level(
            "kernel",
            ">1x1",
            "a kernel larger than 1x1",
            ("kh", "kw"),
            lambda c: math.prod(_kernels(c)) > 1,
        ),
        Level("kernel", "1x1", "a 1x1 kernel", ("kh", "kw"), lambda c: math.prod(_kernels(c)) == 1),
        *(level for axis, _ in _AXES for level in _size_levels(f"k{axis}", f"k{axis}")),
    ]


def _categorical_levels() -> list[Level]:
    levels = [
        Level("bias", "yes", "a bias", ("bias",), lambda c: c["bias"] is True),
        Level("bias", "no", "no bias", ("bias",), lambda c: c["bias"] is False),
    ]
    for act in ACTIVATIONS:
        levels.append(
            Level(
                "activation",
                act,
                f"activation {act}",
                ("activation",),
                lambda c, a=act: c["activation"] == a,
            )
        )
    for dtype in ("float64", "float32"):
        levels.append(
            Level("dtype", dtype, f"dtype {dtype}", ("dtype",), lambda c, d=dtype: c["dtype"] == d)
        )
    return levels


# The order is the order of preference between rules that fit the cases equally well.
LEVELS: tuple[Level, ...] = (
    *_pair_levels("dilation", 1, "dilation"),
    Level(
        "dilated_kernel",
        "yes",
        "a dilated kernel (dilation > 1 on an axis where the kernel is larger than 1)",
        ("dilation", "kh", "kw"),
        lambda c: any(d > 1 < k for d, k in zip(c["dilation"], _kernels(c))),
    ),
    *_pair_levels("stride", 1, "stride"),
    Level(
        "stride",
        "non-square",
        "a non-square stride (stride_h != stride_w)",
        ("stride",),
        lambda c: len(set(c["stride"])) > 1,
    ),
    *_pair_levels("output_padding", 0, "output padding"),
    *_padding_levels(),
    *_channel_levels(),
    *_kernel_levels(),
    *(level for axis, _ in _AXES for level in _size_levels(f"in_{axis}", f"in_{axis}")),
    *_size_levels("batch", "batch"),
    *_categorical_levels(),
)


def level_named(factor: str, value: str) -> Level:
    """The level of `factor` called `value`; ValueError naming the known ones otherwise."""
    for level in LEVELS:
        if (level.factor, level.value) == (factor, value):
            return level
    known = ", ".join(f"{lv.factor}={lv.value}" for lv in LEVELS)
    raise ValueError(f"no factor level {factor}={value}; the known ones are {known}")


def rule_holds(rule: Sequence[tuple[str, str]], config: Config) -> bool:
    """Whether a case has every (factor, value) level of a rule."""
    return all(level_named(factor, value).holds(config) for factor, value in rule)


def explanation_of(case_id: str, explanations: Sequence[Mapping[str, Any]]) -> int | None:
    """Which explanation of report.json's `diagnosis` a minimal case belongs to: the first whose
    factors it has (the search keeps its own rule and never takes on an earlier one); None for
    none, or for an id or a factor this version does not know."""
    try:
        config = parse_case_id(case_id).as_report_config()
        for i, explanation in enumerate(explanations):
            if rule_holds(list(explanation["factors"].items()), config):
                return i
    except ValueError:
        pass
    return None
