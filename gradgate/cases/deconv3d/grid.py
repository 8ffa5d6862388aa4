"""Deconv3D's grids (`gradgate.cases.axis_grids` builds the tiers, from its per-axis levels for
this number of axes): named edge cases, and the up-convolutions of volume networks (3-D U-Net,
V-Net, 3-D GANs, video prediction) with channel counts and sizes moved just past 4, 8 and 16
(`gradgate.cases.blocks.just_past`), kept small enough that a case gates in about a second. Ids
are written out, so they stay stable."""

from __future__ import annotations

from gradgate.cases.axis_grids import AXES_3D, AxisGrid

GRID = AxisGrid(
    layer="deconv3d",
    axes=AXES_3D,
    core_size=(3, 4, 3),
    core_kernel=(3, 2, 2),
    exhaustive_size=(3, 3, 4),
    exhaustive_kernels=(1, 2, 3),
    edges=(
        (
            "1x1x1 input",
            "deconv3d-n2-c2x3-g1-i1x1x1-k3x3x2-s2x2x2-p0.0.0.0.0.0-d1x1x1-op0x0x0-b1-tanh-f64",
        ),
        (
            "stride larger than the dilated kernel: gaps",
            "deconv3d-n1-c2x3-g1-i2x3x2-k2x1x2-s3x2x4-p0.0.0.0.0.0-d1x1x1-op1x1x2-b1-identity-f64",
        ),
        (
            "padding crops to one position on an axis",
            "deconv3d-n1-c2x2-g1-i3x2x2-k3x2x2-s2x1x1-p3.3.0.1.1.0-d1x1x1-op0x0x0-b1-sigmoid-f64",
        ),
        (
            "output padding at its maximum",
            "deconv3d-n1-c2x3-g1-i2x3x2-k3x2x3-s3x1x2-p0.0.0.0.0.0-d1x3x1-op2x2x1-b1-leaky_relu-f64",
        ),
        (
            "non-cubic everything, grouped",
            "deconv3d-n2-c3x6-g3-i3x4x2-k2x3x2-s2x1x3-p0.1.1.0.2.1-d1x2x1-op1x0x0-b1-relu-f64",
        ),
        (
            "depthwise, channel multiplier 2",
            "deconv3d-n2-c4x8-g4-i2x3x3-k2x2x2-s2x2x2-p0.0.1.1.0.1-d1x1x1-op0x0x1-b0-tanh-f64",
        ),
    ),
    realistic_default=(
        (
            "3-D U-Net up-convolution k2 s2 (128 -> 64 channels as 17 -> 9)",
            "deconv3d-n2-c17x9-g1-i5x9x5-k2x2x2-s2x2x2-p0.0.0.0.0.0-d1x1x1-op0x0x0-b1-identity-f64",
        ),
        (
            "V-Net up-convolution k2 s2 (32 -> 16 channels as 17 -> 17; 17x17x17)",
            "deconv3d-n1-c17x17-g1-i17x17x17-k2x2x2-s2x2x2-p0.0.0.0.0.0-d1x1x1-op0x0x0-b1-relu-f64",
        ),
        (
            "3-D GAN generator step k4 s2 p1 (512 -> 256 channels as 17 -> 9; 4^3 -> 8^3)",
            "deconv3d-n5-c17x9-g1-i4x4x4-k4x4x4-s2x2x2-p1.1.1.1.1.1-d1x1x1-op0x0x0-b0-relu-f64",
        ),
        (
            "depthwise 3-D upsampling k3 s2 p1 op1 (16 channels as 17)",
            "deconv3d-n9-c17x17-g17-i9x5x4-k3x3x3-s2x2x2-p1.1.1.1.1.1-d1x1x1-op1x1x1-b1-tanh-f64",
        ),
        (
            "3-D super-resolution deconvolution k3 s3 (a batch of 17 patches, 32 -> 1 as 33 -> 1)",
            "deconv3d-n17-c33x1-g1-i4x5x9-k3x3x3-s3x3x3-p0.0.0.0.0.0-d1x1x1-op0x0x0-b1-identity-f64",
        ),
    ),
    realistic_full=(
        (
            "3-D U-Net up-convolution with output padding (k3 s2 p1 op1; 8 -> 4 as 9 -> 5)",
            "deconv3d-n2-c9x5-g1-i4x5x6-k3x3x3-s2x2x2-p1.1.1.1.1.1-d1x1x1-op1x1x1-b1-relu-f64",
        ),
        (
            "3-D GAN generator output (k4 s2 p1; 16 -> 1 channel as 17 -> 1, tanh)",
            "deconv3d-n2-c17x1-g1-i8x8x8-k4x4x4-s2x2x2-p1.1.1.1.1.1-d1x1x1-op0x0x0-b0-tanh-f64",
        ),
        (
            "video prediction: temporal stride 1, spatial stride 2 (k3x4x4 s1x2x2 p1)",
            "deconv3d-n2-c9x9-g1-i4x8x8-k3x4x4-s1x2x2-p1.1.1.1.1.1-d1x1x1-op0x0x0-b1-leaky_relu-f64",
        ),
        (
            "grouped 3-D upsampling k2 s2 (4 groups)",
            "deconv3d-n2-c16x8-g4-i5x5x5-k2x2x2-s2x2x2-p0.0.0.0.0.0-d1x1x1-op0x0x0-b1-sigmoid-f64",
        ),
    ),
)
