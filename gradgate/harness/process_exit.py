"""Leaving one of gradgate's own child processes the moment its result is delivered.

Freeing torch's and numpy's modules at interpreter exit takes 0.5 to 0.8 s a process.  gradgate's
children (a `gradgate run` worker once its last report has gone to the controller, a crash
rerun and the minimal-case search once their result file is written, atomically) hold nothing
else to clean up, so they skip it.  Never for a user's own pytest session, where other plugins
(coverage...) write their files at exit.
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn


def exit_now(status: int) -> NoReturn:
    """Flush stdout and stderr, then end the process with `status`, skipping the interpreter's
    clean-up (atexit handlers, module teardown)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
