"""The old name of `harness.frameworks.torch.conv2d` (see `harness.layers`)."""

from __future__ import annotations

from harness.frameworks.torch.conv2d import backward, forward, supports

__all__ = ["backward", "forward", "supports"]
