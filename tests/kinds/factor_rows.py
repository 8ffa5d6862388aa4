"""The factor-level rows a grid case stands for, in the terms of the kinds' factor tables: what
the covering proofs of tests/kinds/deconv2d/test_grid.py and tests/kinds/conv2d/test_conv2d_grid.py
count."""

from __future__ import annotations

from gradgate.cases.case import Case


def rows_of(case: Case) -> list[dict]:
    """The factor-level rows a case stands for (groups == in_ch == 2 is both "2" and depthwise)."""
    kinds = [
        k
        for k, ok in (
            ("1", case.groups == 1),
            ("2", case.groups == 2),
            ("depthwise", case.groups == case.in_ch >= 2),
        )
        if ok
    ]
    output_padding = (
        {"output_padding_h": case.output_padding[0], "output_padding_w": case.output_padding[1]}
        if case.kind.OUTPUT_PADDING
        else {}
    )
    return [
        {
            **output_padding,
            "activation": case.activation,
            "pad_h": case.padding[:2],
            "pad_w": case.padding[2:],
            "out_ch": case.out_ch,
            "in_ch": case.in_ch,
            "groups": kind,
            "stride_h": case.stride[0],
            "stride_w": case.stride[1],
            "dilation_h": case.dilation[0],
            "dilation_w": case.dilation[1],
            "kh": case.kh,
            "kw": case.kw,
            "in_h": case.in_h,
            "in_w": case.in_w,
            "batch": case.batch,
            "bias": case.bias,
        }
        for kind in kinds
    ]
