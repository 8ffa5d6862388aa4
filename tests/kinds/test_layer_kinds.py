"""The layer-kind seam: the registry, what each kind describes, and --layer end to end."""

from __future__ import annotations

import json
from itertools import product
from pathlib import Path

import numpy as np
import pytest

from gradgate.cases.axes import letters
from gradgate.cases.case import Case, parse_case_id
from gradgate.cases.kind import REQUIRED
from gradgate.cases.kinds import LAYER_KINDS, kind_of_case_id, layer_kind
from gradgate.harness.options import GateOptions, UsageError, resolve_layer
from tests.commands import gradgate

CONV2D_ID = "conv2d-n2-c4x6-g2-i5x7-k3x2-s2x1-p1.0.1.2-d1x2-b1-relu-f64"
DECONV_ID = "n2-c4x6-g2-i5x7-k3x2-s2x1-p1.0.1.2-d1x2-op1x0-b1-relu-f64"
# A grouped case of every kind.
GROUPED = {
    "deconv2d": DECONV_ID,
    "conv2d": CONV2D_ID,
    "conv1d": "conv1d-n2-c4x6-g2-i7-k3-s2-p1.0-d2-b1-relu-f64",
    "deconv1d": "deconv1d-n2-c4x6-g2-i5-k3-s2-p1.0-d1-op1-b1-relu-f64",
    "conv3d": "conv3d-n2-c4x6-g2-i4x5x7-k2x3x2-s1x2x1-p0.1.1.0.1.2-d1x1x2-b1-relu-f64",
    "deconv3d": "deconv3d-n2-c4x6-g2-i3x5x7-k2x3x2-s2x2x1-p0.1.1.0.1.2-d1x1x2-op1x1x0-b1-relu-f64",
}


@pytest.mark.parametrize("name", LAYER_KINDS)
def test_every_registered_kind_describes_everything_the_engine_reads(name: str) -> None:
    kind = layer_kind(name)
    assert name == kind.NAME and all(hasattr(kind, attr) for attr in REQUIRED)
    assert (kind.ID_PREFIX == "") == (name == "deconv2d")  # Deconv2D's ids never change


def test_unknown_kinds_are_refused_with_the_allowed_names() -> None:
    known = "deconv2d, conv2d, conv1d, deconv1d, conv3d, deconv3d"
    with pytest.raises(ValueError, match=f"layer must be one of {known}, got 'conv4d'"):
        layer_kind("conv4d")
    with pytest.raises(UsageError, match=f"--layer accepts {known}; got 'dense'"):
        resolve_layer("dense", ())


@pytest.mark.parametrize("name", LAYER_KINDS)
def test_every_kind_s_ids_parse_back_with_its_number_of_axes(name: str) -> None:
    case = parse_case_id(GROUPED[name])
    nd = layer_kind(name).SPATIAL
    assert case.layer == name and case.id == GROUPED[name] and case.spatial == nd
    assert len(case.x_shape) == len(case.w_shape) == len(case.y_shape) == nd + 2
    config = case.as_report_config()
    assert [k for k in config if k.startswith("k")] == [f"k{a}" for a in letters(nd)]
    wrong = GROUPED[name].replace("-d", "-d1x", 1)
    with pytest.raises(ValueError, match=f"has {nd} dilation values"):
        parse_case_id(wrong)


def test_case_ids_carry_the_kind_and_parse_back() -> None:
    conv, deconv = parse_case_id(CONV2D_ID), parse_case_id(DECONV_ID)
    assert (conv.layer, deconv.layer) == ("conv2d", "deconv2d")
    assert (conv.id, deconv.id) == (CONV2D_ID, DECONV_ID)
    assert conv.w_shape == (3, 2, 2, 6) and deconv.w_shape == (3, 2, 4, 3)
    assert conv.y_shape == (2, 2, 8, 6)  # (5 + 1 - 3) // 2 + 1, (7 + 3 - 3) // 1 + 1
    assert not hasattr(conv.cfg, "output_padding")
    assert "layer" not in conv.as_report_config()
    assert kind_of_case_id(CONV2D_ID) == "conv2d" and kind_of_case_id(DECONV_ID) == "deconv2d"


@pytest.mark.parametrize(
    ("case_id", "message"),
    [
        (CONV2D_ID.replace("-b1", "-op0x0-b1"), "a conv2d id has no -op<h>x<w> part"),
        (DECONV_ID.replace("-op1x0", ""), "a deconv2d id needs an -op<h>x<w> part"),
        ("deconv2d-" + DECONV_ID, "the layer prefix must be one of conv2d-, conv1d-, .* or none"),
    ],
)
def test_ids_of_the_wrong_shape_for_their_kind_say_so(case_id: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_case_id(case_id)


def test_a_conv2d_case_refuses_output_padding_and_a_kernel_larger_than_its_padded_input() -> None:
    fields = parse_case_id(CONV2D_ID).__dict__
    with pytest.raises(ValueError, match=r"output_padding must be \(0, 0\) for conv2d"):
        Case(**{**fields, "output_padding": (1, 0)})
    with pytest.raises(ValueError, match="the dilated kernel"):
        Case(**{**fields, "size": (1, fields["size"][1]), "padding": (0, 0, 0, 0)})


def _one_axis_case(name: str, n_in: int, k: int, s: int, d: int, before: int) -> Case:
    """A one-channel case whose other axes are trivial: the first axis carries the geometry."""
    rest = layer_kind(name).SPATIAL - 1
    return Case(
        batch=1,
        in_ch=1,
        out_ch=1,
        groups=1,
        size=(n_in, *(1,) * rest),
        kernel=(k, *(1,) * rest),
        stride=(s, *(1,) * rest),
        padding=(before, *(0,) * (2 * rest + 1)),
        dilation=(d, *(1,) * rest),
        output_padding=(),
        bias=False,
        activation="identity",
        dtype="float64",
        layer=name,
    )


def _rows_reached(case: Case, which: str) -> list[set[int]]:
    """Output rows that move with each input row / kernel row, measured on the reference."""
    out = []
    for i in range(case.size[0] if which == "inputs" else case.kernel[0]):
        X, W = np.ones(case.x_shape), np.ones(case.w_shape)
        if which == "inputs":
            X = np.zeros(case.x_shape)
            X[0, i] = 1.0
        else:
            W = np.zeros(case.w_shape)
            W[i] = 1.0
        Y = case.kind.linear_forward(X, W, None, case.cfg)
        out.append(set(np.flatnonzero(Y.reshape(Y.shape[1], -1)[:, 0]).tolist()))
    return out


@pytest.mark.parametrize("name", LAYER_KINDS)
def test_the_reach_the_fd_colouring_uses_is_the_reference_maths_own(name: str) -> None:
    """The fd oracle perturbs together entries whose reaches are disjoint: they must be exact."""
    kind = layer_kind(name)
    checked = 0
    for geometry in product((1, 3, 5), (1, 2, 3), (1, 2, 3), (1, 2), (0, 1, 3)):
        try:
            case = _one_axis_case(name, *geometry)
        except ValueError:
            continue  # not a valid geometry for this kind
        n_out = case.y_shape[1]
        assert kind.reach_of_inputs(*geometry, n_out) == _rows_reached(case, "inputs")
        assert kind.reach_of_taps(*geometry, n_out) == _rows_reached(case, "taps")
        checked += 1
    assert checked > 100


@pytest.mark.parametrize("name", LAYER_KINDS)
def test_the_canonical_weight_layout_is_a_permutation_with_groups_on_the_input_axis(
    name: str,
) -> None:
    kind = layer_kind(name)
    case = parse_case_id(GROUPED[name])
    W = np.arange(np.prod(case.w_shape), dtype=float).reshape(case.w_shape)
    Wc = kind.w_canonical(W, case.groups)
    assert Wc.shape == (*case.kernel, case.in_ch, case.out_ch // case.groups)
    np.testing.assert_array_equal(kind.w_from_canonical(Wc, case.groups), W)
    assert sorted(Wc.ravel()) == sorted(W.ravel())


def test_options_infer_the_kind_from_case_ids_and_refuse_a_mismatch() -> None:
    opts = GateOptions.from_strings(
        impl=None,
        grid="default",
        dtypes="float64",
        oracles="torch",
        seed=0,
        case_ids=[CONV2D_ID],
        timeout=None,
        report_dir=None,
        baseline=None,
    )
    assert (opts.layer, opts.impl) == ("conv2d", "reference_impl.conv2d")
    with pytest.raises(UsageError, match="is a conv2d case, but --layer is deconv2d"):
        GateOptions(case_ids=(CONV2D_ID,)).cases()
    with pytest.raises(UsageError, match="several layer kinds"):
        resolve_layer(None, [CONV2D_ID, DECONV_ID])


@pytest.mark.slow
def test_gradgate_run_layer_conv2d_end_to_end(tmp_path: Path) -> None:
    out = gradgate(
        "run",
        "--layer",
        "conv2d",
        "--grid",
        "smoke",
        "-n",
        "1",
        "--report-dir",
        str(tmp_path / "r"),
    )
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    assert report["layer"] == "conv2d"
    assert report["implementation"] == "reference_impl.conv2d"
    assert report["summary"]["passed"] == report["summary"]["total"] > 0
    assert all(c["id"].startswith("conv2d-") for c in report["cases"])
    assert "Conv2D" in (tmp_path / "r" / "summary.md").read_text().splitlines()[0]
    # a Deconv2D baseline cannot judge a Conv2D run
    deconv = gradgate("run", "--case", DECONV_ID, "-n", "1", "--report-dir", str(tmp_path / "d"))
    assert deconv.returncode == 0 and "layer" not in json.loads(
        (tmp_path / "d" / "report.json").read_text()
    )
    mixed = gradgate(
        "run",
        "--layer",
        "conv2d",
        "--case",
        CONV2D_ID,
        "--baseline",
        str(tmp_path / "d" / "report.json"),
        "--report-dir",
        str(tmp_path / "m"),
    )
    assert mixed.returncode == 2 and "is a deconv2d report" in mixed.stderr


def test_frameworks_without_the_layer_say_which_have_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every built-in framework offers every kind; one that lacks a kind (a package's, say) is
    refused by name, with the frameworks that have it."""
    from gradgate.harness import frameworks

    assert all(set(frameworks.ADAPTERS[kind]) == set(frameworks.BUILT_IN) for kind in LAYER_KINDS)
    without_jax = {k: v for k, v in frameworks.ADAPTERS["conv1d"].items() if k != "jax"}
    monkeypatch.setitem(frameworks.ADAPTERS, "conv1d", without_jax)
    with pytest.raises(frameworks.FrameworkError) as err:
        frameworks.framework_module("jax", "conv1d")
    assert (
        f"--framework jax has no conv1d adapter; for --layer conv1d: {', '.join(without_jax)}"
        in str(err.value)
    )


def test_fuzz_takes_the_layer() -> None:
    out = gradgate("fuzz", "--layer", "conv2d", "--examples", "15", "--oracles", "fd,adjoint")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "15 random valid cases, no failure" in out.stdout
