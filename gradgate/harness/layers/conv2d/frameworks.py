"""The old name of `gradgate.harness.frameworks.torch.conv2d` (see `gradgate.harness.layers`)."""

from __future__ import annotations

from gradgate.harness.frameworks.torch.conv2d import backward, forward, supports

__all__ = ["backward", "forward", "supports"]
