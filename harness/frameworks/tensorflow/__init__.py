"""TensorFlow as an implementation under test (`--framework tensorflow`): one module per layer
kind it offers (`deconv2d.py`, ...; a kind is offered when its file exists), over `common.py`
(the framework's set-up and activations).  Importing this package imports nothing of TensorFlow.

For Deconv2D, runs are reported under this package's name (`harness.frameworks.tensorflow`), as
before the kinds had modules of their own: the package hands over its `deconv2d` module's
functions.
"""

from __future__ import annotations

from typing import Any

from harness.frameworks.framework import Framework

FRAMEWORK = Framework(
    "tensorflow",
    "tensorflow",
    "tensorflow-cpu",
    "pip install 'gradgate[tensorflow]' (tensorflow-cpu)",
)


def __getattr__(name: str) -> Any:
    if name in ("forward", "backward", "supports"):
        from harness.frameworks.tensorflow import deconv2d

        return getattr(deconv2d, name)
    raise AttributeError(name)
