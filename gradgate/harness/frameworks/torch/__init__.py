"""PyTorch under test (`--framework torch`): a module per layer kind it offers, over `common.py`
(see `gradgate.harness.frameworks`)."""

from __future__ import annotations

from gradgate.harness.frameworks.framework import Framework, deconv2d_by_package_name

FRAMEWORK = Framework(
    "torch", "torch", "torch", "pip install torch==2.13.0 (gradgate's own dependency)"
)
__getattr__ = deconv2d_by_package_name(__name__)
