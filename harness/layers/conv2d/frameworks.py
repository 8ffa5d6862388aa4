"""The old name of `harness.frameworks.torch_conv2d` (see `harness.layers`)."""

from __future__ import annotations

from harness.frameworks.torch_conv2d import backward, forward, supports

__all__ = ["backward", "forward", "supports"]
