"""Where a worker was when it died: the phase of its case, and what native code said.

While a case runs in a worker process, `recording(folder, case_id)` keeps two files for it:

- `<case>.phase`: one line per phase entered (`forward`, `backward`, `oracle:torch`,
  `oracle:fd > forward`, ...), written straight to the file descriptor, so the last line
  survives any death of the process;
- `<case>.native`: the process's standard error (file descriptor 2) while the case runs, which
  is where glibc writes "corrupted double-linked list" before it aborts, and where
  faulthandler writes the Python stack on a fatal signal.

A case that finishes removes both (what native code wrote goes on to the real standard error).
When the worker dies instead, the controller reads them with `crash_of`.
"""

from __future__ import annotations

import faulthandler
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

TRAIL_DIR_VARIABLE = "GRADGATE_TRAIL_DIR"
HARNESS_DIR = Path(__file__).resolve().parent
# The folders of the harness that hold code a run may gate: layer kinds' references, frameworks.
CODE_UNDER_TEST = ("layers", "frameworks")

# What a phase means, in the words of a report; an oracle's phase (`oracle:NAME`) reads as the
# oracle's PHASE, and a phase under it is a call that oracle makes of the implementation
# (`oracle:fd > forward`).
PHASE_WORDS = {
    "supports": "the implementation's supports(cfg)",
    "forward": "the implementation's forward",
    "backward": "the implementation's backward",
    "layout": "the implementation, called on non-contiguous inputs by the layout check",
}
HARD_LIMIT_PHASE = "hard time limit"

_stack: list[str] = []
_fd: int | None = None


def _write(line: str) -> None:
    if _fd is not None:
        os.write(_fd, (line + "\n").encode())


@contextmanager
def phase(name: str) -> Iterator[None]:
    """Mark a phase of the current case (nested phases read `outer > inner`)."""
    _stack.append(name)
    _write(" > ".join(_stack))
    try:
        yield
    finally:
        _stack.pop()
        if _stack:
            _write(" > ".join(_stack))


def current() -> str:
    """The phase the current case is in ('' outside any)."""
    return " > ".join(_stack)


def note(line: str) -> None:
    """A last word before the process ends itself (the hard time limit), after the phase it
    was in, as written (`crash_of` reads it back as `Crash.hung_in`)."""
    _write(current())
    _write(line)


def _paths(folder: Path, case_id: str, attempt: int) -> tuple[Path, Path]:
    stem = case_id if attempt == 1 else f"{case_id}.attempt{attempt}"
    return folder / f"{stem}.phase", folder / f"{stem}.native"


@contextmanager
def recording(folder: Path | None, case_id: str, attempt: int = 1) -> Iterator[None]:
    """Keep the case's trail in `folder` while it runs (no-op when folder is None)."""
    global _fd
    if folder is None:
        yield
        return
    phase_path, native_path = _paths(folder, case_id, attempt)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND
    _fd = os.open(phase_path, flags, 0o644)
    native = open(native_path, "w+b", buffering=0)  # noqa: SIM115 (closed below)
    sys.stderr.flush()
    saved_stderr = os.dup(2)
    os.dup2(native.fileno(), 2)
    faulthandler.enable(file=native, all_threads=True)
    try:
        yield
    finally:
        faulthandler.enable(file=sys.__stderr__ or sys.stderr, all_threads=True)
        sys.stderr.flush()
        os.dup2(saved_stderr, 2)
        os.close(saved_stderr)
        os.close(_fd)
        _fd = None
        _stack.clear()
        native.seek(0)
        said = native.read()
        native.close()
        if said:
            os.write(2, said)
        phase_path.unlink(missing_ok=True)
        native_path.unlink(missing_ok=True)


@dataclass
class Crash:
    """How a worker died: the phase it was in and what native code said (both may be empty)."""

    phase: str
    native: str
    frame: str
    hung_in: str = ""  # stopped by the hard time limit: the phase it was in, as written

    @property
    def implementation_at_fault(self) -> bool:
        return self.oracle is None

    @property
    def oracle(self) -> str | None:
        """The oracle that crashed (or hung) by itself, not in a call it made of the
        implementation."""
        phase = self.hung_in if self.phase.startswith(HARD_LIMIT_PHASE) else self.phase
        if phase.startswith("oracle:") and ">" not in phase:
            return phase.removeprefix("oracle:").strip()
        return None

    def describe(self) -> str:
        """'died in the implementation's backward (native: corrupted ...; at file.py:42)'."""
        if self.phase.startswith(HARD_LIMIT_PHASE):
            head = f"was stopped: {self.phase}"
        elif not self.phase:
            head = "died before the case started (loading the implementation or its data)"
        else:
            head = f"died in {describe_phase(self.phase)}"
        details = [part for part in (self.native, self.frame) if part]
        return head + (f" ({'; '.join(details)})" if details else "")


def _phase_words(part: str) -> str:
    if part.startswith("oracle:"):
        from gradgate.harness.oracles import oracle

        try:
            return str(oracle(part.removeprefix("oracle:")).PHASE)
        except (ValueError, TypeError, ImportError):
            return part
    return PHASE_WORDS.get(part, part)


def describe_phase(phase_line: str) -> str:
    parts = [p.strip() for p in phase_line.split(">")]
    words = [_phase_words(p) for p in parts]
    if len(words) == 1:
        return words[0]
    return f"{words[-1]}, called by {' > '.join(words[:-1])}"


_FATAL = re.compile(r"^Fatal Python error: (.*)$")
_FRAME = re.compile(r'^\s*File "(?P<file>[^"]+)", line (?P<line>\d+) in (?P<fn>\S+)')


def _native_summary(text: str) -> tuple[str, str]:
    """(glibc's and Python's fatal lines, the innermost frame of the crashing thread)."""
    lines = [ln.rstrip() for ln in text.splitlines()]
    said: list[str] = []
    frame = ""
    for i, ln in enumerate(lines):
        fatal = _FATAL.match(ln)
        if fatal:
            before = [b.strip() for b in lines[max(0, i - 3) : i] if b.strip()]
            said += [b for b in before if not b.startswith(("File ", "Thread ", "Current "))]
            said.append(f"Fatal Python error: {fatal.group(1)}")
            frame = _crashing_frame(lines[i + 1 :])
            break
    if not said:  # no faulthandler output: keep the last short lines native code wrote
        said = [ln.strip() for ln in lines if ln.strip()][-2:]
    return "; ".join(dict.fromkeys(said))[:300], frame


def _crashing_frame(lines: list[str]) -> str:
    """The innermost frame of the 'Current thread' stack that faulthandler printed."""
    start = next((i for i, ln in enumerate(lines) if ln.startswith("Current thread")), None)
    if start is None:
        return ""
    frames = []
    for ln in lines[start + 1 :]:
        m = _FRAME.match(ln)
        if not m:
            break
        frames.append((m["file"].replace("\\", "/"), m["line"], m["fn"]))
    if not frames:
        return ""

    def where(frame: tuple[str, str, str]) -> str:
        return f"{'/'.join(frame[0].split('/')[-2:])}:{frame[1]} in {frame[2]}"

    text = f"at {where(frames[0])}"
    own = next((f for f in frames if not _is_library(f[0])), None)
    if own is not None and own != frames[0]:
        text += f", called from {where(own)}"
    return text


def _is_library(path: str) -> bool:
    """Python's own library, installed packages, and the harness's machinery: not the code
    under test.  A layer kind's package (its reference, gated by default) and a framework's
    adapter (gated by --framework) are code under test, wherever gradgate is installed."""
    here = Path(path)
    if here.is_relative_to(HARNESS_DIR):
        return here.relative_to(HARNESS_DIR).parts[0] not in CODE_UNDER_TEST
    return "/lib/python" in path or "site-packages" in path


def crash_of(folder: Path, case_id: str, attempt: int = 1) -> Crash:
    """What the trail of a case that never finished says."""
    phase_path, native_path = _paths(folder, case_id, attempt)
    try:
        phases = [ln for ln in phase_path.read_text().splitlines() if ln.strip()]
    except OSError:
        phases = []
    try:
        native = native_path.read_text(errors="replace")
    except OSError:
        native = ""
    said, frame = _native_summary(native)
    last = phases[-1] if phases else ""
    hung_in = phases[-2] if last.startswith(HARD_LIMIT_PHASE) and len(phases) > 1 else ""
    return Crash(last, said, frame, hung_in)
