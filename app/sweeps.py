"""Sweeps run over HTTP as background jobs, on Dask.

``POST /sweeps`` checks the spec against the loaded data (so a typo is a 4xx at once),
records the job in the store (``sweeps`` table: status, progress, the spec, who
started it) and runs it in a thread of this server process that drives a Dask client:
the scheduler given by ``RELOS_DASK_SCHEDULER``, or a local cluster of
``RELOS_SWEEP_WORKERS`` processes started with the first sweep and kept for the next
ones. The computation is :func:`routing.sweep.run_sweep`, as ``relos sweep`` runs it:
results go to ``<sweeps_dir>/sweep-<id>.parquet`` through parts written as each chunk
finishes, so a job whose server stops is resumed (``POST /sweeps/{id}/resume``) without
recomputing finished cases. The job reports progress and a heartbeat to the store; any
server process answers ``GET /sweeps/{id}`` from there, and a running job whose heartbeat
stops is shown ``interrupted``. Dask, distributed and Arrow are imported by the first
sweep (or results download), not when the server starts.
"""

from __future__ import annotations

import io
import logging
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.db import user_data_dir, utcnow
from app.store import SWEEP_STALE_S, Actor, Store
from routing.errors import ConflictError
from routing.service import Services
from routing.sweep import DataSource, Sweep, SweepSpec, prepare
from routing.sweep.spec import check_shape, parse_spec

if TYPE_CHECKING:
    from distributed import Client, LocalCluster

log = logging.getLogger("relos.sweeps")

HEARTBEAT_S = 15.0
"""How often a running job tells the store it is alive (well under ``SWEEP_STALE_S``)."""
PROGRESS_S = 1.0
"""Least time between two progress writes."""


class SweepJobs:
    """Starts, resumes and locates the sweeps of one server process."""

    def __init__(
        self,
        services: Services,
        store: Store,
        *,
        source: DataSource,
        folder: Path | None = None,
        scheduler: str | None = None,
        workers: int = 2,
    ) -> None:
        self.services = services
        self.store = store
        self.source = source
        self.folder = folder or user_data_dir() / "sweeps"
        self.scheduler = scheduler
        self.workers = workers
        self._lock = threading.Lock()
        self._client: Client | None = None
        self._cluster: LocalCluster | None = None
        self._threads: dict[int, threading.Thread] = {}

    def close(self) -> None:
        """Stop the local cluster (running jobs fail and may be resumed later)."""
        with self._lock:
            if self._client is not None:
                self._client.close()
            if self._cluster is not None:
                self._cluster.close()
            self._client = self._cluster = None

    def client(self) -> Client:
        """The Dask client (a local cluster started on first use)."""
        import dask
        from distributed import Client, LocalCluster

        from routing.sweep.cluster import LOCAL_CONFIG

        with self._lock:
            if self._client is None:
                if self.scheduler:
                    self._client = Client(self.scheduler, timeout="10s")
                else:
                    with dask.config.set(LOCAL_CONFIG):  # read as the servers start
                        self._cluster = LocalCluster(
                            n_workers=self.workers,
                            threads_per_worker=1,
                            processes=True,
                            dashboard_address="127.0.0.1:0",  # no fixed port: side by side
                            silence_logs=logging.ERROR,
                        )
                        self._client = Client(self._cluster)
            return self._client

    def output(self, id: int) -> Path:
        """The Parquet file of sweep ``id``."""
        return self.folder / f"sweep-{id}.parquet"

    # -- jobs -----------------------------------------------------------------------------

    def start(self, spec: SweepSpec, actor: Actor) -> dict[str, Any]:
        """Check ``spec``, record the job and start it; the job's record."""
        check_shape(spec)
        sweep = prepare(spec, self.services)
        record = self.store.create_sweep(
            name=spec.name,
            spec=spec.model_dump(mode="json"),
            total=len(sweep.cases),
            versions=self.services.versions,
            actor=actor,
        )
        self._launch(record["id"], sweep)
        return self.store.get_sweep(record["id"])

    def resume(self, id: int, actor: Actor) -> dict[str, Any]:
        """Restart a failed or interrupted sweep; finished cases are not recomputed."""
        record = self.store.get_sweep(id)
        if record["versions"]["catalogue"] != self.services.versions["catalogue"]:
            raise ConflictError(
                f"sweep {id} was checked against catalogue {record['versions']['catalogue']}, "
                f"this server has {self.services.versions['catalogue']}: start a new sweep",
                field="sweep_id",
            )
        sweep = prepare(parse_spec(record["spec"]), self.services)
        self.store.claim_sweep(id, actor=actor, stale_s=SWEEP_STALE_S)
        self._launch(id, sweep)
        return self.store.get_sweep(id)

    def _launch(self, id: int, sweep: Sweep) -> None:
        thread = threading.Thread(target=self._run, args=(id, sweep), name=f"sweep-{id}")
        thread.daemon = True
        with self._lock:
            self._threads[id] = thread
        thread.start()

    def wait(self, id: int, timeout: float | None = None) -> None:
        """Wait for this process's job ``id`` to end (for tests and shutdown)."""
        with self._lock:
            thread = self._threads.get(id)
        if thread is not None:
            thread.join(timeout)

    def _run(self, id: int, sweep: Sweep) -> None:
        stop = threading.Event()
        last = [0.0]

        def beat() -> None:
            while not stop.wait(HEARTBEAT_S):
                self.store.update_sweep(id)

        def progress(done: int, _total: int) -> None:
            now = time.monotonic()
            if now - last[0] >= PROGRESS_S or done == _total:
                last[0] = now
                self.store.update_sweep(id, done=done)

        threading.Thread(target=beat, name=f"sweep-{id}-heartbeat", daemon=True).start()
        try:
            # Arrow, Dask and distributed: loaded with the first sweep, not at start-up
            from routing.sweep import OnDask, run_sweep, summarize, summarize_reach

            self.store.update_sweep(id, status="running", started_at=utcnow())
            self.folder.mkdir(parents=True, exist_ok=True)
            report = run_sweep(
                sweep,
                self.output(id),
                OnDask(self.client(), self.source),
                versions=self.services.versions,
                progress=progress,
            )
            rows = [
                {**vars(r), "feasible_share": round(r.feasible_share, 4)}
                for r in summarize(report.table)
            ]
            reach = [vars(r) for r in summarize_reach(report.table)]
            self.store.update_sweep(
                id,
                status="done",
                done=report.total,
                summary={"rows": rows, "reach": reach, "seconds": round(report.seconds, 1)},
                finished_at=utcnow(),
            )
            log.info("sweep %d: %d cases in %.1f s", id, report.total, report.seconds)
        except Exception as exc:  # the job's end, whatever stopped it, is recorded
            log.exception("sweep %d failed", id)
            self.store.update_sweep(
                id,
                status="failed",
                error=f"{type(exc).__name__}: {exc}"[:2000],
                finished_at=utcnow(),
            )
        finally:
            stop.set()


def results_csv(path: Path) -> bytes:
    """A sweep's Parquet results as CSV (list columns joined with ``;``)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    cols = []
    for name in table.column_names:
        col = table[name]
        if pa.types.is_list(col.type):
            col = pa.chunked_array(
                [
                    pa.array(
                        [";".join(map(str, v)) if v is not None else None for v in col.to_pylist()]
                    )
                ]
            )
        cols.append(col)
    out = io.BytesIO()
    pacsv.write_csv(pa.table(cols, names=table.column_names), out)
    return out.getvalue()
