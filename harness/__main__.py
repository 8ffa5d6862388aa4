"""`python -m harness run ...`: the same command as `gradgate`."""

from __future__ import annotations

import sys

from harness.cli import main

sys.exit(main())
