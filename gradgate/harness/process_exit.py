"""Leaving one of gradgate's own processes the moment its result is delivered.

Freeing torch's and numpy's modules at interpreter exit takes 0.5 to 0.8 s a process (TensorFlow's
1.7 s).  gradgate's processes (a `gradgate run` worker once its last report has gone to the
controller, a crash rerun and the minimal-case search once their result file is written,
atomically, and the `gradgate` command once its reports are) hold nothing else to clean up, so
they skip it: `finish`.  Not when a tracer or profiler runs in the process (coverage, a
debugger, `python -m cProfile`), which writes its results at the interpreter's exit; and never
in a user's own pytest session, where other plugins write their files at exit.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import NoReturn


def traced() -> bool:
    """True when a tracer, a profiler or (Python 3.12+) a sys.monitoring tool is active."""
    if sys.gettrace() is not None or sys.getprofile() is not None:
        return True
    monitoring = getattr(sys, "monitoring", None)
    return monitoring is not None and any(monitoring.get_tool(i) for i in range(6))


def exit_now(status: int) -> NoReturn:
    """Flush stdout and stderr, then end the process with `status`, skipping the interpreter's
    clean-up (atexit handlers, module teardown).  A stream that is closed (None) or whose reader
    has gone is left as it is: nothing more can reach it."""
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
    os._exit(status)


def finish(status: int) -> NoReturn:
    """`exit_now`, unless something traces the process: then the ordinary `sys.exit`."""
    if traced():
        sys.exit(status)
    exit_now(status)
