"""The old name of `gradgate.reference_impl.conv2d` (see `gradgate.harness.layers`)."""

from __future__ import annotations

from gradgate.reference_impl.conv2d import backward, forward

__all__ = ["backward", "forward"]
