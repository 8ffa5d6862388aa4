"""TensorFlow under test (`--framework tensorflow`): a module per layer kind it offers,
over `common.py` (see `gradgate.harness.frameworks`)."""

from __future__ import annotations

from gradgate.harness.frameworks.framework import Framework, deconv2d_by_package_name

FRAMEWORK = Framework(
    "tensorflow",
    "tensorflow",
    "tensorflow-cpu",
    "pip install 'gradgate[tensorflow]' (tensorflow-cpu)",
)
__getattr__ = deconv2d_by_package_name(__name__)
