"""The old name of `reference_impl.conv2d` (see `harness.layers`)."""

from __future__ import annotations

from reference_impl.conv2d import backward, forward

__all__ = ["backward", "forward"]
