"""`python -m gradgate run ...`: the same command as `gradgate`."""

from __future__ import annotations

import sys

from gradgate.harness.cli import main

sys.exit(main())
