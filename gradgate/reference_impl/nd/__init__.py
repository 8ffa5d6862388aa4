"""Convolutions over any number of spatial axes (1 to 3): the configs, and the maths every
reference kind shares.

`direct` is the ordinary convolution, `transposed` the transposed one, each over channels-last
arrays X (n, *size, in_ch); the 2-D references (`gradgate.reference_impl.conv2d`, `.deconv2d`)
run the same kernels behind their own 2-D configs, and the 1-D and 3-D ones
(`gradgate.reference_impl.conv1d`, `.conv3d`, `.deconv1d`, `.deconv3d`) are these functions with
the number of axes bound.
"""
