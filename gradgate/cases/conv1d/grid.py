"""Conv1D's grids (`gradgate.cases.axis_grids` builds the tiers, from its per-axis levels for this
number of axes): named edge cases, and layers of audio networks (WaveNet, HiFi-GAN, Conv-TasNet,
Demucs) with channel counts and lengths moved just past 4, 8 and 16
(`gradgate.cases.blocks.just_past`). Ids are written out, so they stay stable whatever else
changes."""

from __future__ import annotations

from gradgate.cases.axis_grids import AXES_1D, AxisGrid

GRID = AxisGrid(
    layer="conv1d",
    axes=AXES_1D,
    core_size=(8,),
    core_kernel=(3,),
    exhaustive_size=(9,),
    exhaustive_kernels=(1, 2, 3),
    edges=(
        ("one-element input", "conv1d-n2-c2x3-g1-i1-k3-s2-p1.1-d1-b1-tanh-f64"),
        ("kernel larger than the input", "conv1d-n2-c2x3-g1-i2-k5-s1-p2.2-d1-b1-relu-f64"),
        (
            "stride larger than the kernel: inputs no window reads",
            "conv1d-n2-c2x3-g1-i8-k2-s3-p0.0-d1-b1-identity-f64",
        ),
        (
            "padding beyond the kernel's reach: outputs whose every tap is on padding",
            "conv1d-n2-c2x3-g1-i3-k2-s1-p3.2-d1-b1-leaky_relu-f64",
        ),
        (
            "causal padding, all of it before the input (WaveNet)",
            "conv1d-n2-c3x2-g1-i6-k3-s1-p4.0-d2-b1-tanh-f64",
        ),
        ("depthwise, channel multiplier 2", "conv1d-n2-c4x8-g4-i7-k3-s2-p1.1-d1-b0-sigmoid-f64"),
        (
            "long kernel and stride (Conv-TasNet's encoder shape)",
            "conv1d-n2-c1x4-g1-i16-k16-s8-p0.0-d1-b0-relu-f64",
        ),
    ),
    realistic_default=(
        (
            "WaveNet dilated causal conv (k2 d4, causal padding 4; 32 -> 64 gated as 33 -> 66)",
            "conv1d-n5-c33x66-g1-i65-k2-s1-p4.0-d4-b1-tanh-f64",
        ),
        (
            "HiFi-GAN MRF residual conv (k3 d3 p3; 512 -> 512 channels as 129 -> 129)",
            "conv1d-n9-c129x129-g1-i33-k3-s1-p3.3-d3-b1-leaky_relu-f64",
        ),
        (
            "Conv-TasNet depthwise conv (k3 d2 p2; groups = 512 channels as 17)",
            "conv1d-n17-c17x17-g17-i20-k3-s1-p2.2-d2-b1-relu-f64",
        ),
        (
            "Conv-TasNet encoder (k16 s8; 1 -> 512 filters as 1 -> 17)",
            "conv1d-n2-c1x17-g1-i129-k16-s8-p0.0-d1-b0-relu-f64",
        ),
    ),
    realistic_full=(
        (
            "WaveNet 1x1 skip projection (32 -> 256 channels as 33 -> 257)",
            "conv1d-n3-c33x257-g1-i17-k1-s1-p0.0-d1-b1-relu-f64",
        ),
        (
            "HiFi-GAN MRF residual conv (k7 d5 p15; 128 channels as 65)",
            "conv1d-n2-c65x65-g1-i33-k7-s1-p15.15-d5-b1-leaky_relu-f64",
        ),
        (
            "HiFi-GAN output conv (k7 p3; 32 -> 1 channel, tanh)",
            "conv1d-n3-c33x1-g1-i65-k7-s1-p3.3-d1-b1-tanh-f64",
        ),
        (
            "Conv-TasNet bottleneck 1x1 (512 -> 128 channels as 65 -> 17)",
            "conv1d-n4-c65x17-g1-i36-k1-s1-p0.0-d1-b1-identity-f64",
        ),
        (
            "Demucs encoder (k8 s4; 64 -> 128 channels as 65 -> 129)",
            "conv1d-n2-c65x129-g1-i129-k8-s4-p0.0-d1-b1-relu-f64",
        ),
    ),
)
