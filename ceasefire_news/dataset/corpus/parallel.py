"""Processes and the collector: the helpers that build, release and validate share."""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Iterator


def usable_cores() -> int:
    """The cores this process may run on: the default number of worker processes (validate,
    build, release)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector (restored as it was on exit). For work that builds
    hundreds of thousands of live objects and no reference cycles (validate, build, release):
    collections over them would cost more than the work itself."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
