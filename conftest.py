"""Repository-wide pytest set-up.

The gradgate plugin itself is registered by its `pytest11` entry point (pip install -e .).
"""

from __future__ import annotations
