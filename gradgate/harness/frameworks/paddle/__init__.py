"""PaddlePaddle under test (`--framework paddle`): a module per layer kind it offers,
over `common.py` (see `gradgate.harness.frameworks`)."""

from __future__ import annotations

from gradgate.harness.frameworks.framework import Framework, deconv2d_by_package_name

FRAMEWORK = Framework(
    "paddle", "paddle", "paddlepaddle", "pip install 'gradgate[paddle]' (paddlepaddle)"
)
__getattr__ = deconv2d_by_package_name(__name__)
