"""Processes and the collector: the helpers that build, release and validate share."""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.pool import AsyncResult, Pool
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


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


class WorkerPool:
    """Worker processes that return results in input order; this process when ``workers`` is 1.

    ``with WorkerPool(workers, initializer=setup) as pool: for result in pool.imap(work, items)``.
    The processes start on entering the block (``spawn``: the parent may already run Arrow's
    threads, and ``fork`` copies their locks), so they load their modules while the caller
    does other work. ``initializer(*initargs)`` runs once in each worker, or once in this
    process when it does the work itself, so that ``function`` finds the same state either
    way. ``function``, the items and the results cross the process boundary by pickling:
    they must be module-level and picklable.
    """

    def __init__(
        self,
        workers: int,
        *,
        initializer: Callable[..., object] | None = None,
        initargs: tuple[Any, ...] = (),
    ) -> None:
        if not isinstance(workers, int) or workers < 1:
            raise ValueError(f"workers is {workers!r}; expected a positive integer (1: work in this process)")
        self.workers = workers
        self._initializer = initializer
        self._initargs = initargs
        self._pool: Pool | None = None
        self._entered = False

    def __enter__(self) -> WorkerPool:
        self._entered = True
        if self.workers == 1:
            if self._initializer is not None:
                self._initializer(*self._initargs)
        else:
            context = multiprocessing.get_context("spawn")
            self._pool = context.Pool(self.workers, initializer=self._initializer, initargs=self._initargs)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None
        self._entered = False

    def imap(
        self, function: Callable[[T], R], items: Iterable[T], *, window: int | None = None, chunksize: int = 1
    ) -> Iterator[R]:
        """``function(item)`` for each item, in the items' order.

        ``window``: the most items in flight, read from ``items`` ahead of the results taken,
        which bounds memory when items or results are large; None sends every item at once
        (in runs of ``chunksize`` per worker: neighbouring items that share state).
        """
        if not self._entered:
            raise RuntimeError("WorkerPool.imap was called outside its `with` block; enter the pool first")
        if self._pool is None:
            return map(function, items)
        if window is None:
            return self._pool.imap(function, items, chunksize=chunksize)
        if window < 1:
            raise ValueError(f"window is {window!r}; expected a positive number of items in flight, or None")
        return _windowed(self._pool, function, items, window)


def _windowed(pool: Pool, function: Callable[[T], R], items: Iterable[T], window: int) -> Iterator[R]:
    pending: deque[AsyncResult[R]] = deque()
    for item in items:
        pending.append(pool.apply_async(function, (item,)))
        if len(pending) >= window:
            yield pending.popleft().get()
    while pending:
        yield pending.popleft().get()
