"""Conv2D cases from real networks, at sizes that straddle the block sizes implementations use.

The Conv2D counterpart of `gradgate/cases/deconv2d/realistic.py`: each case is named for the layer
it comes from, with the network's kernel, stride, padding, dilation and groups, and its channel
counts and image sizes moved just past a multiple of 4, 8 and 16 (65 for 64, 257 for 256, 17x17 for
a 112x112 or 56x56 map...; `gradgate.cases.blocks.just_past`) so that code working in blocks (batch
chunks, column tiles, channel blocks, long reductions) meets a remainder.
tests/kinds/conv2d/test_conv2d_grid.py checks that `REALISTIC_DEFAULT` crosses every block size on
batch, input rows, input cols, in_ch and out_ch.  Sizes are kept so that each case gates in about a
second.  Ids are written out, so they stay stable whatever else changes.
"""

from __future__ import annotations

from gradgate.cases.case import Case, parse_case_id


def _named(pairs: tuple[tuple[str, str], ...]) -> tuple[tuple[str, Case], ...]:
    return tuple((name, parse_case_id(case_id)) for name, case_id in pairs)


# In `default`: one case per kind of layer, together crossing every block size on every axis.
REALISTIC_DEFAULT: tuple[tuple[str, Case], ...] = _named(
    (
        (
            "ResNet stem 7x7 s2 p3 (224x224, 3 -> 64 channels as 33x35, 3 -> 65)",
            "conv2d-n2-c3x65-g1-i33x35-k7x7-s2x2-p3.3.3.3-d1x1-b0-relu-f64",
        ),
        (
            "ResNet basic block 3x3 s1 p1 (64 -> 64 channels as 65 -> 65, 56x56 as 9x10)",
            "conv2d-n5-c65x65-g1-i9x10-k3x3-s1x1-p1.1.1.1-d1x1-b0-relu-f64",
        ),
        (
            "ResNet projection shortcut 1x1 s2 (64 -> 128 channels as 65 -> 129)",
            "conv2d-n17-c65x129-g1-i9x17-k1x1-s2x2-p0.0.0.0-d1x1-b0-identity-f64",
        ),
        (
            "MobileNet depthwise 3x3 s2 p1 with its relu (32 channels as 33, 112x112 as 17)",
            "conv2d-n9-c33x33-g33-i17x17-k3x3-s2x2-p1.1.1.1-d1x1-b1-relu-f64",
        ),
        (
            "DeepLab ASPP atrous 3x3 d2 p2 (2048 -> 256 channels as 257 -> 33)",
            "conv2d-n2-c257x33-g1-i9x9-k3x3-s1x1-p2.2.2.2-d2x2-b1-sigmoid-f64",
        ),
        (
            "TensorFlow padding='same' k4 s2 on odd sizes: asymmetric (1, 2), 16 -> 18 as 17 -> 18",
            "conv2d-n3-c17x18-g1-i17x33-k4x4-s2x2-p1.2.1.2-d1x1-b1-leaky_relu-f64",
        ),
    )
)

# Only in `full`: more layers of the same networks and a few more kinds.
REALISTIC_FULL: tuple[tuple[str, Case], ...] = _named(
    (
        (
            "VGG 3x3 s1 p1 (64 -> 128 channels as 65 -> 129, 224x224 as 17x17)",
            "conv2d-n2-c65x129-g1-i17x17-k3x3-s1x1-p1.1.1.1-d1x1-b1-relu-f64",
        ),
        (
            "ResNeXt grouped 3x3 s1 p1 (8 groups of 17 channels: 136 -> 136)",
            "conv2d-n2-c136x136-g8-i9x9-k3x3-s1x1-p1.1.1.1-d1x1-b0-relu-f64",
        ),
        (
            "ResNet bottleneck 1x1 reduction (256 -> 64 channels as 257 -> 65)",
            "conv2d-n5-c257x65-g1-i9x9-k1x1-s1x1-p0.0.0.0-d1x1-b0-relu-f64",
        ),
        (
            "ResNet downsampling 3x3 s2 p1 (128 -> 128 channels as 129 -> 129)",
            "conv2d-n2-c129x129-g1-i9x10-k3x3-s2x2-p1.1.1.1-d1x1-b0-relu-f64",
        ),
        (
            "MobileNet pointwise 1x1 (32 -> 64 channels as 33 -> 65)",
            "conv2d-n9-c33x65-g1-i17x17-k1x1-s1x1-p0.0.0.0-d1x1-b1-relu-f64",
        ),
        (
            "EfficientNet depthwise 5x5 s2, TensorFlow 'same' on an even size: (1, 2)",
            "conv2d-n2-c33x33-g33-i18x18-k5x5-s2x2-p1.2.1.2-d1x1-b1-sigmoid-f64",
        ),
        (
            "Inception factorized 1x7 p(0, 3) (128 -> 128 channels as 17 -> 18)",
            "conv2d-n2-c17x18-g1-i9x17-k1x7-s1x1-p0.0.3.3-d1x1-b1-relu-f64",
        ),
        (
            "Inception factorized 7x1 p(3, 0) (128 -> 128 channels as 18 -> 17)",
            "conv2d-n2-c18x17-g1-i17x9-k7x1-s1x1-p3.3.0.0-d1x1-b1-relu-f64",
        ),
        (
            "DeepLab ASPP rate 6 (3x3 d6 p6, 256 -> 256 channels as 65 -> 33)",
            "conv2d-n2-c65x33-g1-i17x17-k3x3-s1x1-p6.6.6.6-d6x6-b1-tanh-f64",
        ),
        (
            "TensorFlow padding='same' k2 s1 (even kernel: padding (0, 1)), 8 -> 16 as 9 -> 17",
            "conv2d-n5-c9x17-g1-i9x9-k2x2-s1x1-p0.1.0.1-d1x1-b1-identity-f64",
        ),
    )
)
