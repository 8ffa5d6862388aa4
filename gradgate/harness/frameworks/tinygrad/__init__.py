"""tinygrad under test (`--framework tinygrad`): a module per layer kind it offers, over `common.py`
(see `gradgate.harness.frameworks`)."""

from __future__ import annotations

from gradgate.harness.frameworks.framework import Framework, deconv2d_by_package_name

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
__getattr__ = deconv2d_by_package_name(__name__)
