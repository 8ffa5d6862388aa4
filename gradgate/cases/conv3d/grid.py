"""Conv3D's grids (`gradgate.cases.axis_grids` builds the tiers, from its per-axis levels for this
number of axes): named edge cases, and the layers of volume and video networks (C3D, I3D /
R(2+1)D, X3D, 3-D U-Net, V-Net) with channel counts and sizes moved just past 4, 8 and 16
(`gradgate.cases.blocks.just_past`), kept small enough that a case gates in about a second. Ids
are written out, so they stay stable."""

from __future__ import annotations

from gradgate.cases.axis_grids import AXES_3D, AxisGrid

GRID = AxisGrid(
    layer="conv3d",
    axes=AXES_3D,
    core_size=(7, 7, 8),
    core_kernel=(3, 2, 2),
    exhaustive_size=(5, 5, 6),
    exhaustive_kernels=(1, 2, 3),
    edges=(
        (
            "1x1x1 input",
            "conv3d-n2-c2x3-g1-i1x1x1-k3x3x3-s2x2x2-p1.1.1.1.1.1-d1x1x1-b1-tanh-f64",
        ),
        (
            "kernel larger than the input on every axis",
            "conv3d-n1-c2x3-g1-i2x2x2-k3x4x3-s1x2x1-p1.1.1.2.2.0-d1x1x1-b1-relu-f64",
        ),
        (
            "stride larger than the kernel: positions no window reads",
            "conv3d-n1-c2x3-g1-i5x7x4-k1x2x1-s3x3x2-p0.0.0.0.0.0-d1x1x1-b1-identity-f64",
        ),
        (
            "padding beyond the kernel's reach: outputs whose every tap is on padding",
            "conv3d-n1-c2x2-g1-i2x3x2-k2x2x2-s1x1x1-p2.1.0.3.2.2-d1x1x1-b1-leaky_relu-f64",
        ),
        (
            "non-cubic everything",
            "conv3d-n2-c3x6-g3-i4x6x5-k2x3x1-s1x2x3-p0.1.2.0.1.1-d2x1x1-b1-sigmoid-f64",
        ),
        (
            "temporal-only kernel (R(2+1)D's 3x1x1), grouped",
            "conv3d-n2-c2x4-g2-i5x3x3-k3x1x1-s1x1x1-p1.1.0.0.0.0-d1x1x1-b0-tanh-f64",
        ),
    ),
    realistic_default=(
        (
            "C3D conv 3x3x3 p1 (64 -> 128 channels as 17 -> 9; 16x112x112 as 5x9x9)",
            "conv3d-n2-c17x9-g1-i5x9x9-k3x3x3-s1x1x1-p1.1.1.1.1.1-d1x1x1-b1-relu-f64",
        ),
        (
            "V-Net down-convolution k2 s2 (16 -> 32 channels as 17 -> 33; 17x17x17)",
            "conv3d-n1-c17x33-g1-i17x17x17-k2x2x2-s2x2x2-p0.0.0.0.0.0-d1x1x1-b1-relu-f64",
        ),
        (
            "I3D 1x1x1 projection (64 -> 16 channels as 65 -> 17)",
            "conv3d-n9-c65x17-g1-i4x5x4-k1x1x1-s1x1x1-p0.0.0.0.0.0-d1x1x1-b0-identity-f64",
        ),
        (
            "R(2+1)D temporal conv 3x1x1 p1 (32 channels as 33)",
            "conv3d-n5-c33x33-g1-i9x5x5-k3x1x1-s1x1x1-p1.1.0.0.0.0-d1x1x1-b1-relu-f64",
        ),
        (
            "X3D channel-wise conv 3x3x3 p1 (groups = 16 channels as 17)",
            "conv3d-n17-c17x17-g17-i4x4x5-k3x3x3-s1x1x1-p1.1.1.1.1.1-d1x1x1-b1-relu-f64",
        ),
    ),
    realistic_full=(
        (
            "C3D downsampling conv 3x3x3 s2 p1 (8 -> 16 channels as 9 -> 17)",
            "conv3d-n2-c9x17-g1-i9x9x9-k3x3x3-s2x2x2-p1.1.1.1.1.1-d1x1x1-b1-relu-f64",
        ),
        (
            "3-D U-Net encoder conv 3x3x3 p1 (8 -> 16 channels as 9 -> 17)",
            "conv3d-n1-c9x17-g1-i9x10x10-k3x3x3-s1x1x1-p1.1.1.1.1.1-d1x1x1-b1-relu-f64",
        ),
        (
            "dilated 3-D conv (k3 d2 p2; 4 -> 8 channels as 5 -> 9)",
            "conv3d-n2-c5x9-g1-i9x9x9-k3x3x3-s1x1x1-p2.2.2.2.2.2-d2x2x2-b1-tanh-f64",
        ),
        (
            "ResNeXt-3D grouped conv 3x3x3 p1 (8 groups)",
            "conv3d-n2-c16x16-g8-i5x5x5-k3x3x3-s1x1x1-p1.1.1.1.1.1-d1x1x1-b1-relu-f64",
        ),
    ),
)
