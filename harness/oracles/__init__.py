"""The three independent oracles: torch autograd, finite differences, the adjoint test."""

from __future__ import annotations

ORACLES: tuple[str, ...] = ("torch", "fd", "adjoint")
