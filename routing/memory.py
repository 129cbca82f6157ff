"""How the process runs its numeric kernels: numpy's huge pages and the kernels' threads.

**Huge pages.** Whether numpy asks the kernel for transparent huge pages for its large arrays.

NumPy marks every array of 4 MB and more for transparent huge pages (``madvise``) on
Linux. Where the kernel compacts memory for such regions when they are first touched
(``/sys/kernel/mm/transparent_hugepage/defrag`` = ``madvise``, a common default) and
memory is fragmented, each fresh candidates^2 block of a big catalogue stalls for that
compaction, and often gets no huge page in the end. Measured on this project's 2-core
machine (2026-11-30): twelve fresh 25 MB copies took 663 ms marked and 154 ms not; the
first plan under a new closure set at 5,000 facilities 400-600 ms marked, 300-350 ms not.
The service leaves them unmarked (``RELOS_NUMPY_HUGEPAGES=1`` marks them again); numpy's
own switch, read when numpy is imported, is ``NUMPY_MADVISE_HUGEPAGE``.

**Threads.** The big block products (:func:`routing.sea.router._min_plus_rows`: a
candidates^2 block of a big catalogue, tens of millions of cells) are split by rows over
a pool of threads (numpy works without the GIL); each thread writes its own rows. By
default as many threads as the process may use cores, at most ``KERNEL_THREADS_MAX``;
``RELOS_KERNEL_THREADS`` (the service) or :func:`set_kernel_threads` (a script) sets it,
1 keeps every product in the calling thread.
"""

from __future__ import annotations

import contextvars
import itertools
import os
import threading
import weakref
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")

KERNEL_THREADS_MAX = 4
"""The default number of kernel threads is the usable cores, up to this."""
KERNEL_SPLIT_CELLS = 2_000_000
"""Work on more cells than this is split over the kernel threads (:func:`row_runs`)."""


def set_numpy_hugepages(enabled: bool) -> bool | None:
    """Mark numpy's large arrays for huge pages, or not, from now on; the state before
    (``None`` where this numpy has no such switch, and nothing changes)."""
    core = getattr(np, "_core", None) or getattr(np, "core", None)
    setter = getattr(getattr(core, "multiarray", None), "_set_madvise_hugepage", None)
    if setter is None:  # pragma: no cover - every numpy since 1.20 has it
        return None
    return bool(setter(bool(enabled)))


def default_kernel_threads() -> int:
    """The cores this process may run on (its CPU affinity), at most ``KERNEL_THREADS_MAX``."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, KERNEL_THREADS_MAX))


_threads = default_kernel_threads()
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def set_kernel_threads(n: int) -> int:
    """Run the block products on ``n`` threads from now on (1: in the calling thread);
    the number before. A product under way finishes on the pool it started on."""
    global _threads, _pool
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"kernel threads must be a whole number of at least 1, not {n!r}")
    with _pool_lock:
        before, _threads = _threads, n
        if _pool is not None and n != before:
            _pool.shutdown(wait=False)
            _pool = None
    return before


def kernel_threads() -> int:
    """The number of threads the block products run on."""
    return _threads


def kernel_pool() -> ThreadPoolExecutor | None:
    """The pool of the kernel threads (made on first use), or None for one thread."""
    global _pool
    if _threads < 2:
        return None
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(_threads, thread_name_prefix="relos-kernel")
        return _pool


def run_split(tasks: Sequence[Callable[[], None]]) -> None:
    """Run ``tasks`` (each on rows of its own) on the kernel threads and wait for all; in
    the calling thread with one thread, or one task (or a pool shut meanwhile by
    :func:`set_kernel_threads`). See :func:`run_alongside` for how."""
    run_alongside(tasks)


def run_alongside(jobs: Sequence[Callable[[], T]]) -> list[T]:
    """The results of ``jobs``, independent pieces of work, run at once on the kernel
    threads (in the caller's context: a request's time budget holds there too): the first
    in the calling thread, the others handed to the pool, and each of those the pool has
    not begun when the caller is done is taken back and run by the caller. So a job may
    itself split its work (:func:`run_split`): it never waits for work queued behind it
    on busy threads, it does it. One after another with one kernel thread."""
    pool = kernel_pool() if len(jobs) > 1 else None
    if pool is None:
        return [job() for job in jobs]
    handed: list[Future[T] | None] = []
    for job in jobs[1:]:
        try:
            handed.append(pool.submit(contextvars.copy_context().run, job))
        except RuntimeError:  # the pool was shut meanwhile
            handed.append(None)
    out = [jobs[0]()]
    for job, fut in zip(jobs[1:], handed, strict=True):
        out.append(job() if fut is None or fut.cancel() else fut.result())
    return out


_held: list[tuple[weakref.ref[Any], str]] = []
_held_lock = threading.Lock()


def hold_across_fork(owner: object, attr: str = "lock") -> None:
    """Take ``owner``'s lock (its attribute ``attr``) before the process forks and give it
    back after, in the parent and the child: a lock another thread held at that moment
    would stay held in the child, whose next block would wait for it for ever. ``owner``
    is not kept alive by this."""
    with _held_lock:
        if len(_held) > 64 and len(_held) & (len(_held) - 1) == 0:  # now and then
            _held[:] = [(ref, a) for ref, a in _held if ref() is not None]
        _held.append((weakref.ref(owner), attr))


def _held_locks() -> list[Any]:
    with _held_lock:
        owners = [(ref(), a) for ref, a in _held]
    return [getattr(o, a) for o, a in owners if o is not None]


_at_fork: list[Any] = []


def _before_fork() -> None:
    # the owners' locks first: a thread holding one may still need the pool's to finish
    _at_fork[:] = _held_locks()
    for lock in _at_fork:
        lock.acquire()
    _pool_lock.acquire()


def _after_fork_in_parent() -> None:
    _pool_lock.release()
    for lock in reversed(_at_fork):
        lock.release()
    _at_fork.clear()


def _after_fork_in_child() -> None:
    """The locks given back; the parent's kernel threads are gone: new ones when needed
    (and this module's own locks new, whoever held them)."""
    global _pool, _pool_lock, _held_lock
    for lock in reversed(_at_fork):
        lock.release()
    _at_fork.clear()
    _pool, _pool_lock, _held_lock = None, threading.Lock(), threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(
        before=_before_fork,
        after_in_parent=_after_fork_in_parent,
        after_in_child=_after_fork_in_child,
    )


def row_runs(n: int, cells: int) -> list[tuple[int, int]]:
    """Work on ``n`` rows, ``cells`` cells in all, as runs of rows (start, stop): one a
    kernel thread where the work is more than ``KERNEL_SPLIT_CELLS``, else one run."""
    parts = max(1, min(kernel_threads(), n)) if cells > KERNEL_SPLIT_CELLS else 1
    cuts = [n * i // parts for i in range(parts + 1)]
    return [(a, z) for a, z in itertools.pairwise(cuts) if z > a]
