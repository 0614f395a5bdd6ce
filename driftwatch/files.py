"""Atomic file replacement, for everything driftwatch stores or writes out.

A reader (or a crash) sees the old file or the new one, whole, never half of
one: the content goes to a temporary file in the same directory, is flushed to
disk, and is renamed over the target.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

# The process umask, read once at import (reading it means setting it).
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def _mode_for(path: Path) -> int:
    """The mode the replaced file had, or what the umask gives a new file."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        return 0o666 & ~_UMASK


def atomic_write(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path``: readers see the old or the new file, whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        # mkstemp makes the file 0600; a baseline is for the team to read.
        Path(temporary).chmod(_mode_for(path))
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
