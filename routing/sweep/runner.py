"""Running a sweep: chunks of cases out, one Parquet part per finished chunk, one file at the end.

:func:`run_sweep` splits the cases not done yet into chunks, has a
:class:`ChunkRunner` compute them (:class:`InProcess` here, in a plain loop;
:class:`routing.sweep.cluster.OnDask` on Dask workers), and writes each finished
chunk as ``part-<uuid>.parquet`` in ``<output>.parts/`` (temporary file, then
``os.replace``: a ``kill -9`` never leaves half a part). On resume, cases whose ids
are in the parts or in an earlier output, computed on the same catalogue and graph
versions, are not computed again. At the end the rows are put in case order, each
case exactly once, written to ``output`` the same atomic way, and the parts are
removed.
"""

from __future__ import annotations

import io
import json
import math
import time
import uuid
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from contextlib import closing, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from routing.errors import DataValidationError
from routing.files import atomic_write
from routing.service import Services
from routing.sweep.cases import CASE_FORMAT, AnyCase, Case, Recipe, Sweep
from routing.sweep.rows import PLAN, SCHEMA, run_chunk

MIN_CHUNK = 25
MAX_CHUNK = 200
CHUNKS_PER_SLOT = 16
"""Automatic chunk size: about this many chunks per worker thread (for an even finish
and a live progress bar), within ``MIN_CHUNK`` and ``MAX_CHUNK`` cases (a Dask task
costs about a millisecond; a plan case, milliseconds to a second)."""
REACH_COST = 10
"""A reach case costs about this many plan cases (0.1 to 0.2 s once the worker has
the sea grid of its closures): reach cases go in chunks of their own, this many times
smaller."""

Results = Generator[pa.Table, None, None]
"""Each finished chunk's rows, as a generator (closed to stop early)."""

Progress = Callable[[int, int], None]
"""Called with (cases done, cases in the sweep) at the start and after each chunk."""


class ChunkRunner(Protocol):
    """Computes chunks of cases, yielding each chunk's rows as it finishes (any order)."""

    @property
    def slots(self) -> int:
        """Chunks it computes at once (worker threads)."""
        ...

    def run(self, recipe: Recipe, chunks: Sequence[Sequence[AnyCase]]) -> Results:
        """Each chunk's rows (a :data:`~routing.sweep.rows.SCHEMA` table), as they finish;
        closing it early stops the work still under way."""
        ...


class InProcess:
    """Chunks computed one after the other in this process (no Dask): ``--workers 0``."""

    def __init__(self, services: Services) -> None:
        self.services = services

    @property
    def slots(self) -> int:
        """One: a plain loop."""
        return 1

    def run(self, recipe: Recipe, chunks: Sequence[Sequence[AnyCase]]) -> Results:
        """Each chunk's rows, in order."""
        for chunk in chunks:
            yield run_chunk(self.services, recipe, chunk)


@dataclass(frozen=True)
class SweepReport:
    """What a finished sweep did: its file, its cases, how many were computed in this
    run and how many came from an earlier one, the time taken and the rows written."""

    output: Path
    total: int
    computed: int
    reused: int
    seconds: float
    table: pa.Table


def parts_dir(output: Path) -> Path:
    """Where the finished chunks of a sweep writing ``output`` are kept until it ends."""
    return output.with_name(output.name + ".parts")


def chunk_size_for(cases: int, slots: int) -> int:
    """Cases per chunk for ``cases`` on ``slots`` worker threads (see :data:`CHUNKS_PER_SLOT`)."""
    size = math.ceil(cases / (max(slots, 1) * CHUNKS_PER_SLOT))
    return max(MIN_CHUNK, min(MAX_CHUNK, size))


def chunks_of(cases: Sequence[AnyCase], size: int | None, slots: int) -> list[list[AnyCase]]:
    """``cases`` in chunks of one kind each, in order: plan cases ``size`` at a time
    (default :func:`chunk_size_for`), reach cases :data:`REACH_COST` times fewer."""
    plans: list[AnyCase] = [c for c in cases if isinstance(c, Case)]
    reach: list[AnyCase] = [c for c in cases if not isinstance(c, Case)]
    out: list[list[AnyCase]] = []
    if plans:
        n = size or chunk_size_for(len(plans), slots)
        out.extend(plans[i : i + n] for i in range(0, len(plans), n))
    if reach:
        n = math.ceil((size or chunk_size_for(len(reach) * REACH_COST, slots)) / REACH_COST)
        out.extend(reach[i : i + n] for i in range(0, len(reach), n))
    return out


def _remove(paths: Iterator[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _clear_temporaries(output: Path) -> None:
    """Temporary files a killed run left (never read: only whole parts count)."""
    parts = parts_dir(output)
    _remove(output.parent.glob(f"{output.name}.*.tmp"))
    if parts.is_dir():
        _remove(parts.glob("part-*.parquet.*.tmp"))


def clear_parts(output: Path) -> None:
    """Remove the parts of a sweep writing ``output`` (and the folder, if then empty)."""
    parts = parts_dir(output)
    if not parts.is_dir():
        return
    _remove(parts.glob("part-*.parquet"))
    _remove(parts.glob("part-*.parquet.*.tmp"))
    with suppress(OSError):  # something else is in there: leave it
        parts.rmdir()


def _matches(table: pa.Table, column: str, value: str | None) -> pa.ChunkedArray:
    if value is None:
        return pc.is_null(table[column])
    return pc.fill_null(pc.equal(table[column], value), False)


def _read(path: Path, wanted: pa.Array, versions: Mapping[str, str | None]) -> pa.Table | None:
    """The rows of ``path`` for wanted cases computed on ``versions``; ``None`` when it
    is not a sweep file of this format (or unreadable)."""
    try:
        table = conform(pq.read_table(path))
    except (OSError, pa.ArrowException):
        return None
    if table is None:
        return None
    keep = pc.and_(
        pc.is_in(table["case_id"], value_set=wanted),
        pc.and_(
            _matches(table, "catalogue_version", versions["catalogue"]),
            _matches(table, "graph_version", versions["graph"]),
        ),
    )
    return table.filter(keep)


def conform(table: pa.Table) -> pa.Table | None:
    """``table`` in :data:`SCHEMA` (no metadata); a file of plan rows from before reach
    cases (no ``kind`` nor reach columns, the rest the same) gains them, null; ``None``
    when it is not a sweep file."""
    table = table.replace_schema_metadata(None)
    if table.schema.equals(SCHEMA):
        return table
    names = set(table.column_names)
    if "kind" in names or any(
        f.name in names and table.schema.field(f.name).type != f.type for f in SCHEMA
    ):
        return None
    if not {"case_id", "origin", "destination", "feasible", "graph_version"} <= names:
        return None
    columns = [
        table[f.name]
        if f.name in names
        else pa.array([PLAN] * table.num_rows, f.type)
        if f.name == "kind"
        else pa.nulls(table.num_rows, f.type)
        for f in SCHEMA
    ]
    return pa.Table.from_arrays(columns, schema=SCHEMA)


def collect(
    output: Path,
    cases: Sequence[AnyCase],
    versions: Mapping[str, str | None],
    *,
    earlier_output: bool = True,
) -> pa.Table:
    """Every row already computed for ``cases`` on ``versions``: in the parts, and in
    ``output`` itself when ``earlier_output`` (duplicates possible)."""
    wanted = pa.array([c.case_id for c in cases], pa.string())
    paths = sorted(parts_dir(output).glob("part-*.parquet"))
    if earlier_output and output.is_file():
        paths.insert(0, output)
    tables = [t for t in (_read(p, wanted, versions) for p in paths) if t is not None]
    return pa.concat_tables(tables) if tables else SCHEMA.empty_table()


def in_case_order(table: pa.Table, cases: Sequence[AnyCase]) -> pa.Table:
    """One row per case, in the order of ``cases`` (the first row of each id wins)."""
    first: dict[str, int] = {}
    for i, cid in enumerate(table["case_id"].to_pylist()):
        first.setdefault(cid, i)
    missing = [c.case_id for c in cases if c.case_id not in first]
    if missing:
        raise RuntimeError(f"{len(missing)} cases have no row (e.g. {missing[0]})")
    return table.take(pa.array([first[c.case_id] for c in cases], pa.int64()))


def write_parquet(path: Path, table: pa.Table) -> None:
    """``table`` as a Parquet file at ``path``, atomically (temporary file, ``os.replace``)."""
    buf = io.BytesIO()
    pq.write_table(table, buf)
    atomic_write(path, buf.getvalue())


def _check_versions(table: pa.Table, versions: Mapping[str, str | None]) -> None:
    """A worker must plan on the data the sweep was checked against."""
    for key, column in (("catalogue", "catalogue_version"), ("graph", "graph_version")):
        got = set(table[column].to_pylist())
        if got != {versions[key]}:
            raise DataValidationError(
                f"a worker planned on {key} version {sorted(map(str, got))}, but the sweep "
                f"was checked against {versions[key]}: give every worker the same data "
                "files and a RELOS_CACHE_DIR holding the same graph"
            )


def run_sweep(
    sweep: Sweep,
    output: Path,
    runner: ChunkRunner,
    *,
    versions: Mapping[str, str | None],
    chunk_size: int | None = None,
    resume: bool = True,
    progress: Progress | None = None,
    on_chunk: Callable[[pa.Table], None] | None = None,
) -> SweepReport:
    """Compute the cases of ``sweep`` not done yet and write every case's row to ``output``.

    Parameters
    ----------
    sweep
        The checked sweep (:func:`routing.sweep.cases.prepare`).
    output
        The Parquet file to write; its parts go to :func:`parts_dir` meanwhile.
    runner
        Where chunks are computed.
    versions
        The catalogue and graph versions the sweep was checked against
        (``Services.versions``): rows from elsewhere are not reused, and a worker
        on other data stops the sweep.
    chunk_size
        Cases per chunk (reach cases: :data:`REACH_COST` times fewer); default
        :func:`chunk_size_for`.
    resume
        Reuse rows of an earlier run (its parts, or its output); ``False`` starts over.
    progress
        Called with (done, total) at the start and after each chunk.
    on_chunk
        Called with each chunk's rows once its part is written.
    """
    start = time.perf_counter()
    output = Path(output)
    if not resume:
        clear_parts(output)
    _clear_temporaries(output)
    cases = sweep.cases
    earlier = collect(output, cases, versions, earlier_output=resume)
    done = set(earlier["case_id"].to_pylist())
    todo = [c for c in cases if c.case_id not in done]
    total, finished = len(cases), len(cases) - len(todo)
    reused = finished
    if progress is not None:
        progress(finished, total)
    if todo:
        chunks = chunks_of(todo, chunk_size, runner.slots)
        parts = parts_dir(output)
        parts.mkdir(parents=True, exist_ok=True)
        with closing(runner.run(sweep.recipe, chunks)) as results:
            for table in results:
                _check_versions(table, versions)
                write_parquet(parts / f"part-{uuid.uuid4().hex}.parquet", table)
                finished += table.num_rows
                if on_chunk is not None:
                    on_chunk(table)
                if progress is not None:
                    progress(finished, total)
    rows = in_case_order(collect(output, cases, versions, earlier_output=resume), cases)
    meta = {"name": sweep.name, "cases": total, "format": CASE_FORMAT, "versions": dict(versions)}
    rows = rows.replace_schema_metadata({"relos.sweep": json.dumps(meta)})
    write_parquet(output, rows)
    clear_parts(output)
    return SweepReport(
        output=output,
        total=total,
        computed=total - reused,
        reused=reused,
        seconds=time.perf_counter() - start,
        table=rows,
    )
