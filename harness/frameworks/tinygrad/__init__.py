"""tinygrad as an implementation under test (`--framework tinygrad`): one module per layer kind it
offers (`deconv2d.py`, ...; a kind is offered when its file exists), over `common.py` (the
framework's set-up and activations).  Importing this package imports nothing of tinygrad.

For Deconv2D, runs are reported under this package's name (`harness.frameworks.tinygrad`), as
before the kinds had modules of their own: the package hands over its `deconv2d` module's
functions.
"""

from __future__ import annotations

from typing import Any

from harness.frameworks.framework import Framework

FRAMEWORK = Framework(
    "tinygrad",
    "tinygrad",
    "tinygrad",
    "pip install 'gradgate[tinygrad]' (tinygrad; its CPU device needs clang)",
    tool="clang",
    tool_missing=(
        "tinygrad's CPU device compiles with clang, which is not on PATH; "
        "apt-get install clang (or set DEV=PYTHON for its slow pure-Python device)"
    ),
    tool_unless_env="DEV",
)


def __getattr__(name: str) -> Any:
    if name in ("forward", "backward", "supports"):
        from harness.frameworks.tinygrad import deconv2d

        return getattr(deconv2d, name)
    raise AttributeError(name)
