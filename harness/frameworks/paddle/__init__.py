"""PaddlePaddle as an implementation under test (`--framework paddle`): one module per layer kind it
offers (`deconv2d.py`, ...; a kind is offered when its file exists), over `common.py` (the
framework's set-up and activations).  Importing this package imports nothing of PaddlePaddle.

For Deconv2D, runs are reported under this package's name (`harness.frameworks.paddle`), as
before the kinds had modules of their own: the package hands over its `deconv2d` module's
functions.
"""

from __future__ import annotations

from typing import Any

from harness.frameworks.framework import Framework

FRAMEWORK = Framework(
    "paddle", "paddle", "paddlepaddle", "pip install 'gradgate[paddle]' (paddlepaddle)"
)


def __getattr__(name: str) -> Any:
    if name in ("forward", "backward", "supports"):
        from harness.frameworks.paddle import deconv2d

        return getattr(deconv2d, name)
    raise AttributeError(name)
