"""Deconv1D's grids (`gradgate.cases.axis_grids` builds the tiers, from its per-axis levels for
this number of axes): named edge cases, and the transposed 1-D layers of vocoders and source
separators (HiFi-GAN, MelGAN, WaveGAN, Conv-TasNet, Demucs) with channel counts and lengths
moved just past 4, 8 and 16 (`gradgate.cases.blocks.just_past`). Ids are written out, so they
stay stable."""

from __future__ import annotations

from gradgate.cases.axis_grids import AXES_1D, AxisGrid

GRID = AxisGrid(
    layer="deconv1d",
    axes=AXES_1D,
    core_size=(5,),
    core_kernel=(3,),
    exhaustive_size=(5,),
    exhaustive_kernels=(1, 2, 3),
    edges=(
        ("one-element input", "deconv1d-n2-c2x3-g1-i1-k3-s2-p0.0-d1-op0-b1-tanh-f64"),
        (
            "stride larger than the dilated kernel: gaps",
            "deconv1d-n2-c2x3-g1-i3-k2-s4-p0.0-d1-op1-b1-identity-f64",
        ),
        (
            "padding crops to one output",
            "deconv1d-n2-c2x3-g1-i3-k3-s2-p3.3-d1-op0-b1-sigmoid-f64",
        ),
        (
            "output padding at its maximum",
            "deconv1d-n2-c2x3-g1-i3-k3-s3-p0.0-d1-op2-b1-leaky_relu-f64",
        ),
        (
            "padding larger than kernel - 1",
            "deconv1d-n2-c2x3-g1-i5-k2-s2-p3.2-d1-op0-b1-relu-f64",
        ),
        (
            "depthwise, channel multiplier 2",
            "deconv1d-n2-c4x8-g4-i4-k3-s2-p1.1-d1-op1-b0-tanh-f64",
        ),
        (
            "kernel 16, stride 8 (HiFi-GAN's upsampler shape)",
            "deconv1d-n2-c3x2-g1-i4-k16-s8-p4.4-d1-op0-b1-leaky_relu-f64",
        ),
    ),
    realistic_default=(
        (
            "HiFi-GAN upsampler (k16 s8 p4; 512 -> 256 channels as 129 -> 65)",
            "deconv1d-n2-c129x65-g1-i17-k16-s8-p4.4-d1-op0-b1-leaky_relu-f64",
        ),
        (
            "HiFi-GAN upsampler (k4 s2 p1; 64 -> 32 channels as 65 -> 33)",
            "deconv1d-n9-c65x33-g1-i65-k4-s2-p1.1-d1-op0-b1-leaky_relu-f64",
        ),
        (
            "Conv-TasNet decoder (k16 s8; 512 filters -> 1 as 17 -> 1)",
            "deconv1d-n17-c17x1-g1-i33-k16-s8-p0.0-d1-op0-b0-identity-f64",
        ),
        (
            "Demucs decoder (k8 s4; 128 -> 64 channels as 129 -> 65)",
            "deconv1d-n5-c129x65-g1-i9-k8-s4-p0.0-d1-op0-b1-relu-f64",
        ),
        (
            "depthwise upsampling (k4 s2 p1 op1; 16 channels as 17)",
            "deconv1d-n3-c17x17-g17-i20-k4-s2-p1.1-d1-op1-b1-tanh-f64",
        ),
    ),
    realistic_full=(
        (
            "MelGAN upsampler (k16 s8 p4; 512 -> 256 channels as 257 -> 129)",
            "deconv1d-n2-c257x129-g1-i9-k16-s8-p4.4-d1-op0-b1-leaky_relu-f64",
        ),
        (
            "WaveGAN generator (k25 s4 p11 op1; 32 -> 16 channels as 33 -> 17)",
            "deconv1d-n2-c33x17-g1-i17-k25-s4-p11.11-d1-op1-b1-relu-f64",
        ),
        (
            "dilated transposed conv (k3 d2 s1 p2; 16 -> 8 channels as 17 -> 9)",
            "deconv1d-n2-c17x9-g1-i33-k3-s1-p2.2-d2-op0-b1-sigmoid-f64",
        ),
        (
            "grouped upsampling, 8 groups (k4 s2 p1; 64 -> 32 as 72 -> 40)",
            "deconv1d-n2-c72x40-g8-i17-k4-s2-p1.1-d1-op0-b1-relu-f64",
        ),
    ),
)
