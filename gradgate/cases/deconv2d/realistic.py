"""Cases taken from real networks, at sizes that straddle the block sizes implementations use.

Each case is named for the layer it comes from.  Channel counts and image sizes are the network's,
moved just past a multiple of 4, 8 and 16 (257 for 256, 129 for 128, 17 for 16...) so that code
working in blocks of 4, 8 or 16 (batch chunks, column tiles, channel blocks) meets a remainder;
`gradgate.cases.blocks.just_past` says precisely what that means, and
tests/kinds/deconv2d/test_grid.py checks that the `default` tier crosses every such boundary on
batch, input rows, input cols, in_ch and out_ch. Ids are written out, so they stay stable whatever
else changes.
"""

from __future__ import annotations

from gradgate.cases.case import Case, parse_case_id


def _named(pairs: tuple[tuple[str, str], ...]) -> tuple[tuple[str, Case], ...]:
    return tuple((name, parse_case_id(case_id)) for name, case_id in pairs)


# In `default`: one case per kind of layer, together crossing every block size on every axis.
REALISTIC_DEFAULT: tuple[tuple[str, Case], ...] = _named(
    (
        (
            "DCGAN generator step 4x4 -> 8x8 (k4 s2 p1, 512 -> 256 channels as 257 -> 129)",
            "n5-c257x129-g1-i4x4-k4x4-s2x2-p1.1.1.1-d1x1-op0x0-b0-relu-f64",
        ),
        (
            "U-Net decoder step 16x32 -> 32x64 (k2 s2, 128 -> 64 channels as 129 -> 65)",
            "n2-c129x65-g1-i17x33-k2x2-s2x2-p0.0.0.0-d1x1-op0x0-b1-identity-f64",
        ),
        (
            "FSRCNN x3 super-resolution deconvolution (k9 s3 p4 op2, 56 -> 3 channels)",
            "n17-c56x3-g1-i9x9-k9x9-s3x3-p4.4.4.4-d1x1-op2x2-b1-identity-f64",
        ),
        (
            "depthwise upsampling 16x16 -> 32x32 (k4 s2 p1, groups = 33 channels)",
            "n2-c33x33-g33-i17x17-k4x4-s2x2-p1.1.1.1-d1x1-op0x0-b1-leaky_relu-f64",
        ),
        (
            "dilated (atrous) decoder deconvolution (k3 d2 s1 p2, 64 -> 32 as 65 -> 33)",
            "n3-c65x33-g1-i9x9-k3x3-s1x1-p2.2.2.2-d2x2-op0x0-b1-sigmoid-f64",
        ),
    )
)

# Only in `full`: more steps of the same networks and a few more kinds.
REALISTIC_FULL: tuple[tuple[str, Case], ...] = _named(
    (
        (
            "DCGAN generator projection 1x1 -> 4x4 (k4 s1 p0, z = 100 -> 512 as 257)",
            "n9-c100x257-g1-i1x1-k4x4-s1x1-p0.0.0.0-d1x1-op0x0-b0-relu-f64",
        ),
        (
            "DCGAN generator step 8x8 -> 16x16 (k4 s2 p1, 256 -> 128 as 129 -> 65)",
            "n9-c129x65-g1-i8x8-k4x4-s2x2-p1.1.1.1-d1x1-op0x0-b0-relu-f64",
        ),
        (
            "DCGAN generator output 16x16 -> 32x32 (k4 s2 p1, 64 -> 3 as 65 -> 3, tanh)",
            "n3-c65x3-g1-i16x16-k4x4-s2x2-p1.1.1.1-d1x1-op0x0-b0-tanh-f64",
        ),
        (
            "U-Net decoder step 32x32 -> 64x64 (k2 s2, 64 -> 32 as 65 -> 33)",
            "n2-c65x33-g1-i33x33-k2x2-s2x2-p0.0.0.0-d1x1-op0x0-b1-relu-f64",
        ),
        (
            "FSRCNN x2 super-resolution deconvolution (k9 s2 p4 op1, 56 -> 1 channel)",
            "n5-c56x1-g1-i17x17-k9x9-s2x2-p4.4.4.4-d1x1-op1x1-b1-identity-f64",
        ),
        (
            "depthwise upsampling with channel multiplier 2 (k4 s2 p1, 17 -> 34, groups 17)",
            "n5-c17x34-g17-i9x9-k4x4-s2x2-p1.1.1.1-d1x1-op0x0-b1-relu-f64",
        ),
        (
            "TensorFlow Conv2DTranspose padding='same' k3 s2: asymmetric crop (0, 1), 40 -> 24",
            "n4-c40x24-g1-i9x17-k3x3-s2x2-p0.1.0.1-d1x1-op0x0-b1-relu-f64",
        ),
        (
            "dilated (atrous) deconvolution (k3 d3 s1 p3, 32 -> 16 as 33 -> 17)",
            "n2-c33x17-g1-i9x9-k3x3-s1x1-p3.3.3.3-d3x3-op0x0-b1-tanh-f64",
        ),
        (
            "grouped upsampling, ResNeXt-style 8 groups (k4 s2 p1, 136 -> 72)",
            "n2-c136x72-g8-i9x9-k4x4-s2x2-p1.1.1.1-d1x1-op0x0-b1-leaky_relu-f64",
        ),
    )
)
