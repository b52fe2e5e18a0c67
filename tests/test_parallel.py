"""WorkerPool: results in input order, in worker processes or in this one, with an initializer."""

from __future__ import annotations

import os

import pytest

from ceasefire_news.dataset.corpus.parallel import WorkerPool

#: Set by the initializer, in each worker (or in this process when it does the work).
_PREFIX: list[str] = []


def _set_prefix(prefix: str) -> None:
    _PREFIX[:] = [prefix]


def _label(item: int) -> tuple[str, int, int]:
    return (_PREFIX[0] if _PREFIX else "", item * item, os.getpid())


def _fail_on_three(item: int) -> int:
    if item == 3:
        raise ValueError(f"item {item} is bad")
    return item


@pytest.mark.parametrize(("workers", "window"), [(1, None), (2, None), (2, 1), (3, 2)])
def test_results_come_in_input_order(workers: int, window: int | None) -> None:
    items = list(range(40))
    with WorkerPool(workers, initializer=_set_prefix, initargs=("ready",)) as pool:
        results = list(pool.imap(_label, iter(items), window=window, chunksize=3))
    assert [(prefix, square) for prefix, square, _ in results] == [("ready", i * i) for i in items]
    pids = {pid for _, _, pid in results}
    if workers == 1:
        assert pids == {os.getpid()}
    else:
        assert os.getpid() not in pids


def test_a_worker_error_reaches_the_caller() -> None:
    with WorkerPool(2) as pool, pytest.raises(ValueError, match="item 3 is bad"):
        list(pool.imap(_fail_on_three, range(6), window=2))


def test_imap_outside_the_block_says_to_enter_it() -> None:
    with pytest.raises(RuntimeError, match="outside its `with` block"):
        WorkerPool(1).imap(_label, [1])


@pytest.mark.parametrize("workers", [0, -1])
def test_workers_must_be_positive(workers: int) -> None:
    with pytest.raises(ValueError, match=f"workers is {workers}; expected a positive integer"):
        WorkerPool(workers)
