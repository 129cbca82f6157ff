"""Sweeps on Dask distributed: a local cluster of worker processes, or a real scheduler.

Each worker process loads the catalogue, platforms and sea graph once, from the
same files and graph cache as the client (:class:`~routing.sweep.source.DataSource`),
through :func:`services_for`: a per-process cache that :class:`PreloadServices` fills when
the worker starts (and on any worker that joins or is restarted later), so no
case waits for it. Tasks are chunks of cases (:func:`compute_chunk`); the client
keeps a bounded number in flight and takes them back as they finish
(:class:`OnDask`). A worker that dies takes its running chunk with it, and the
scheduler gives that chunk to another worker: a sweep finishes with every case
exactly once.

On a cluster: ``dask scheduler`` on one machine, ``dask worker tcp://host:8786
--nthreads 1`` on each (with this package installed at the same path and
``RELOS_CACHE_DIR`` pointing at a cache holding the graph), then
``relos sweep spec.yaml -o out.parquet --scheduler tcp://host:8786``.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from threading import Lock
from typing import TYPE_CHECKING, Any

import dask
import pyarrow as pa
from distributed import Client, Future, LocalCluster, WorkerPlugin, as_completed

from routing.errors import ServiceUnavailableError
from routing.plan.scenario import resolve_scenarios
from routing.service import Services
from routing.sweep.cases import AnyCase, Recipe
from routing.sweep.rows import run_chunk
from routing.sweep.runner import Results
from routing.sweep.source import DataSource

if TYPE_CHECKING:
    from distributed import Worker

PLUGIN_NAME = "relos-services"
LOCAL_CONFIG: dict[str, Any] = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.admin.system-monitor.disk": False,
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.scheduler.work-stealing": False,
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
}
"""Dask settings of a local cluster, for tasks of seconds of pure-Python work. Dask's
defaults wake each server's event loop 50 times a second (the tick that watches for a
blocked loop, 20 ms), sample the system every 500 ms and the worker's memory every
100 ms, balance work by stealing every 100 ms and profile the running thread every
10 ms: with one planning thread per worker, that cost the worker process's event loop
about 3 % of a core and the client process (which hosts the scheduler and the nannies)
about 5 %, taken from the planning (the worker's loop holds the GIL while it runs). With
a 1 s tick, monitors at 1 to 5 s, no stealing (at most two chunks per worker are in
flight, so there is little to steal) and no profiler, both fall under 1 %. The nanny
also starts workers with ``MALLOC_TRIM_THRESHOLD_=65536`` (memory back to the system
at once, for dataframe work), which turns off glibc's adaptive mmap threshold: every
array over 128 kB the planner makes is then a fresh mapping, and a worker took 50 to
100 times the page faults of the loop for the same cases. Left unset, as in the loop."""
IN_FLIGHT_PER_SLOT = 2
"""Chunks submitted ahead per worker thread: enough that none waits for work, few
enough that a million cases are never all in the scheduler at once."""


_loaded: dict[DataSource, Services] = {}
_loading = Lock()


def services_for(source: DataSource) -> Services:
    """The services over ``source``, loaded once per process (later calls share them)."""
    with _loading:
        if source not in _loaded:
            _loaded[source] = source.load()
        return _loaded[source]


def loaded() -> list[DataSource]:
    """The data sources this process holds services for (``client.run(loaded)`` shows
    what each worker has loaded)."""
    with _loading:
        return list(_loaded)


def compute_chunk(source: DataSource, recipe: Recipe, cases: Sequence[AnyCase]) -> pa.Table:
    """A Dask task: the rows of ``cases``, planned on this process's services."""
    return run_chunk(services_for(source), recipe, cases)


class PreloadServices(WorkerPlugin):
    """Loads the services on each worker as it starts, off its event loop."""

    name = PLUGIN_NAME

    def __init__(self, source: DataSource) -> None:
        self.source = source

    async def setup(self, worker: Worker) -> None:
        """Load (once per process) before the worker's first chunk."""
        await asyncio.to_thread(warm_up, self.source)


def warm_up(source: DataSource) -> None:
    """Load the services over ``source``, and what every chunk's scenario check loads
    on first use (the airspace polygons, about a second), so no chunk pays for it."""
    services = services_for(source)
    resolve_scenarios(
        [{"name": "baseline"}], services.catalogue, services.platforms, sea=services.sea_data
    )


def _key(cases: Sequence[AnyCase]) -> str:
    digest = hashlib.sha256("".join(c.case_id for c in cases).encode()).hexdigest()[:20]
    return f"relos-sweep-{digest}"


class OnDask:
    """Chunks computed as tasks on a Dask cluster, through ``client``.

    Registers :class:`PreloadServices` (with ``preload``): every worker loads the
    services now, and any worker that joins later does as it starts."""

    def __init__(self, client: Client, source: DataSource, *, preload: bool = True) -> None:
        self.client = client
        self.source = source
        if preload:
            client.register_plugin(PreloadServices(source), name=PLUGIN_NAME)

    @property
    def slots(self) -> int:
        """Worker threads in the cluster now (at least one)."""
        return max(1, sum(self.client.nthreads().values()))

    def run(self, recipe: Recipe, chunks: Sequence[Sequence[AnyCase]]) -> Results:
        """Each chunk's rows as it finishes; at most ``IN_FLIGHT_PER_SLOT`` chunks per
        worker thread are in the cluster at a time. Closing it cancels those."""
        todo = iter(chunks)
        pending = as_completed()
        live: set[Future[Any]] = set()

        def submit() -> None:
            chunk = next(todo, None)
            if chunk is not None:
                fut = self.client.submit(
                    compute_chunk, self.source, recipe, list(chunk), key=_key(chunk)
                )
                live.add(fut)
                pending.add(fut)

        for _ in range(IN_FLIGHT_PER_SLOT * self.slots + 1):
            submit()
        try:
            for fut in pending:
                table = fut.result()
                live.discard(fut)
                fut.release()
                submit()
                if len(live) < IN_FLIGHT_PER_SLOT * self.slots:
                    submit()  # workers joined: keep them busy
                yield table
        finally:
            if live:
                self.client.cancel(list(live))


@contextmanager
def dask_client(
    *, workers: int = 2, scheduler: str | None = None, config: Mapping[str, Any] | None = None
) -> Iterator[Client]:
    """A client of the scheduler at ``scheduler``, or of a new local cluster of
    ``workers`` processes with one thread each and ``config`` (default
    :data:`LOCAL_CONFIG`; ``{}``: Dask's own defaults), closed on exit."""
    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise ServiceUnavailableError(
                f"cannot reach the Dask scheduler at {scheduler}: {exc}", field="scheduler"
            ) from None
        with client:
            yield client
        return
    with (
        dask.config.set(dict(LOCAL_CONFIG if config is None else config)),
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address="127.0.0.1:0",  # no fixed port: clusters side by side
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client
