"""Per-case time limits: a soft one that raises inside the case, a hard one that ends the process.

The soft limit (SIGALRM) interrupts Python code and returns the case as `errored`.  Code that
never returns to the interpreter (a hang in native code) is stopped by the hard limit, which
ends the worker process; pytest-xdist then reports that case as crashed and starts a new worker.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from gradgate.harness import crash_trail

HARD_LIMIT_EXIT_CODE = 70


class CaseTimeout(BaseException):
    """Raised in a case when its time is up; a BaseException so `except Exception` can't eat it."""


@contextmanager
def deadline(seconds: float | None, hard_grace: float | None = None) -> Iterator[None]:
    """Raise CaseTimeout after `seconds`; with `hard_grace`, end the process `hard_grace` later."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_alarm(signum: int, frame: object) -> None:
        raise CaseTimeout(seconds)

    done = threading.Event()
    if hard_grace is not None:

        def watchdog() -> None:
            if not done.wait(seconds + hard_grace):
                crash_trail.note(
                    f"{crash_trail.HARD_LIMIT_PHASE} of {seconds + hard_grace:g} s reached, "
                    f"still in {crash_trail.describe_phase(crash_trail.current())}"
                )
                os._exit(HARD_LIMIT_EXIT_CODE)

        threading.Thread(target=watchdog, daemon=True).start()
    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        done.set()
