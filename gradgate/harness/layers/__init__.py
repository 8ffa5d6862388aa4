"""Old module names, kept working: the layer kinds now live in `cases` (descriptions, grids) and
`reference_impl` (maths).  Reports of earlier runs name `harness.layers.conv2d.reference` (the
Conv2D reference, now `reference_impl.conv2d`) and `harness.layers.conv2d.frameworks` (torch's
conv2d under `--framework torch --layer conv2d`, now `harness.frameworks.torch.conv2d`); both
still load as `--impl`.
"""
