"""`python -m gradgate run ...`: the same command as `gradgate`."""

from __future__ import annotations

from gradgate.harness.cli import command

command()
