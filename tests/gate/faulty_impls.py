"""Implementations that misbehave rather than compute wrong numbers: the gate must survive them.

Each one is correct (it is the reference) except on the cases its fault picks, so a run shows
the faulty cases errored or failed and every other case passing on its own merits.
"""

from __future__ import annotations

import os
import time
from types import SimpleNamespace

import numpy as np

import gradgate.reference_impl as ref


def _picked(cfg: object) -> bool:
    """The faults strike cases with a tanh activation."""
    return getattr(cfg, "activation", "") == "tanh"


def _faulty(forward_fault=None, backward_fault=None) -> SimpleNamespace:  # type: ignore[no-untyped-def]
    def forward(X, W, b, cfg):  # type: ignore[no-untyped-def]
        if forward_fault and _picked(cfg):
            return forward_fault(X, W, b, cfg)
        return ref.forward(X, W, b, cfg)

    def backward(dY, X, W, b, cfg):  # type: ignore[no-untyped-def]
        if backward_fault and _picked(cfg):
            return backward_fault(dY, X, W, b, cfg)
        return ref.backward(dY, X, W, b, cfg)

    return SimpleNamespace(forward=forward, backward=backward)


def _raise(*args):  # type: ignore[no-untyped-def]
    raise ZeroDivisionError("deliberate fault")


def _nan(dY, X, W, b, cfg):  # type: ignore[no-untyped-def]
    dX, dW, db = ref.backward(dY, X, W, b, cfg)
    dX = dX.copy()
    dX.reshape(-1)[0] = np.nan
    return dX, dW, db


def _wrong_shape(X, W, b, cfg):  # type: ignore[no-untyped-def]
    return ref.forward(X, W, b, cfg)[:, :-1] if X.shape[1] else None


def _wrong_dtype(dY, X, W, b, cfg):  # type: ignore[no-untyped-def]
    dX, dW, db = ref.backward(dY, X, W, b, cfg)
    return dX.astype(np.float16), dW, db


def _none(dY, X, W, b, cfg):  # type: ignore[no-untyped-def]
    return None


def _exit(*args):  # type: ignore[no-untyped-def]
    os._exit(3)


def _hang(*args):  # type: ignore[no-untyped-def]
    time.sleep(3600)


def _mutate(dY, X, W, b, cfg):  # type: ignore[no-untyped-def]
    out = ref.backward(dY, X, W, b, cfg)
    dY *= 2
    return out


raises = _faulty(backward_fault=_raise)
nan_gradient = _faulty(backward_fault=_nan)
wrong_shape = _faulty(forward_fault=_wrong_shape)
wrong_dtype = _faulty(backward_fault=_wrong_dtype)
returns_none = _faulty(backward_fault=_none)
exits_process = _faulty(forward_fault=_exit)
hangs = _faulty(forward_fault=_hang)
mutates_input = _faulty(backward_fault=_mutate)


class NotAnImplementation:
    """Has forward but no backward: loading must refuse it with a clear message."""


no_backward = SimpleNamespace(forward=ref.forward)
bad_signature = SimpleNamespace(forward=lambda X, W, b: X, backward=ref.backward)


def _hang_unstoppably(*args):  # type: ignore[no-untyped-def]
    """A hang that the soft (SIGALRM) limit cannot interrupt, like a loop in native code."""
    import signal

    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    time.sleep(3600)


hangs_unstoppably = _faulty(forward_fault=_hang_unstoppably)


def _segfault(*args):  # type: ignore[no-untyped-def]
    """A crash in native code: read address 0."""
    import ctypes

    ctypes.string_at(0)


segfaults = _faulty(forward_fault=_segfault)


def _abort_like_glibc(*args):  # type: ignore[no-untyped-def]
    """What a heap corruption looks like from outside: glibc's line on stderr, then SIGABRT."""
    import ctypes

    os.write(2, b"corrupted double-linked list\n")
    ctypes.CDLL(None).abort()


aborts_in_backward = _faulty(backward_fault=_abort_like_glibc)

MARKER_DIR_VARIABLE = "GRADGATE_TEST_MARKER_DIR"


def _crash_first_time(*args):  # type: ignore[no-untyped-def]
    """Crash on the first call for a configuration, not on later ones (a flaky native bug)."""
    import hashlib

    key = hashlib.sha256(repr(args[-1]).encode()).hexdigest()[:16]  # the same in every process
    marker = os.path.join(os.environ[MARKER_DIR_VARIABLE], key)
    if not os.path.exists(marker):
        open(marker, "w").close()
        _segfault()
    return ref.backward(*args)


crashes_once = _faulty(backward_fault=_crash_first_time)

# Every fault in one implementation, for one run: a tanh case with batch size i + 1 gets the
# fault EVERY_FAULT[i]; every other case is the reference's.
EVERY_FAULT: tuple[str, ...] = (
    "raises",
    "nan_gradient",
    "wrong_shape",
    "wrong_dtype",
    "returns_none",
    "mutates_input",
    "exits_process",
    "segfaults",
)


def _fault_of(X: np.ndarray, cfg: object) -> SimpleNamespace | None:
    if not _picked(cfg) or not 1 <= X.shape[0] <= len(EVERY_FAULT):
        return None
    fault: SimpleNamespace = globals()[EVERY_FAULT[X.shape[0] - 1]]
    return fault


def _every_forward(X, W, b, cfg):  # type: ignore[no-untyped-def]
    return (_fault_of(X, cfg) or ref).forward(X, W, b, cfg)


def _every_backward(dY, X, W, b, cfg):  # type: ignore[no-untyped-def]
    return (_fault_of(X, cfg) or ref).backward(dY, X, W, b, cfg)


every_fault = SimpleNamespace(forward=_every_forward, backward=_every_backward)
