"""Start-up benchmark: a fresh ``relos serve`` to its first answers, with a warm graph cache.

Each run starts ``relos serve`` in a new process (one uvicorn worker, no compute
processes, its own SQLite store migrated beforehand, the user's graph cache) and
times, from the launch: the first ``200`` of ``GET /health`` (polled every 10 ms), then
the first ``GET /routes`` answer for one pair. It also times ``import app.main`` in a
fresh interpreter. Runs alternate between the trees measured, so they share the
machine's load; the figures are medians (p50) over the runs, with the load average
printed before and after.

Usage::

    .venv/bin/python bench/bench_start.py [--runs N] [--peer DIR ...]

``--peer DIR`` (or ``RELOS_START_PEER=DIR``) adds another checkout of the project
(say ``git worktree add --detach /tmp/start-peer HEAD``) as a peer in the same run:
its code is imported through ``PYTHONPATH=DIR`` with the same interpreter and
packages (``--peer DIR:/path/to/repo`` overlays the packages of DIR, say one changed
``app``, on this repo). Every process runs outside both trees, so ``PYTHONPATH`` decides which
code is imported.
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RELOS = Path(sys.executable).with_name("relos")
#: The route the first ``/routes`` request asks for (two catalogue facilities).
ROUTE = "/routes?origin=in-mumbai-naval-dockyard&destination=gb-portsmouth-naval-base"
POLL_S = 0.01
TIMEOUT_S = 120.0
#: The heavy libraries a server start should not import (see tests/app/test_startup_and_cli.py).
HEAVY = ("folium", "pandas", "dask", "distributed", "pyarrow")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(port: int, path: str, timeout: float = 60.0) -> int:
    """The status of ``GET path`` (raises ``OSError`` while nothing listens)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        answer = conn.getresponse()
        answer.read()
        return answer.status
    finally:
        conn.close()


def _env(tree: str, scratch: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELOS_")}
    env.update(
        PYTHONPATH=tree,
        RELOS_DATABASE_URL=f"sqlite:///{scratch / 'relos.sqlite'}",
        RELOS_SWEEPS_DIR=str(scratch / "sweeps"),
        RELOS_COMPUTE_PROCESSES="0",
    )
    return env


def prepare(tree: str, scratch: Path) -> None:
    """Migrate the tree's store once, so each run opens an up-to-date database (as a
    server that starts again does)."""
    scratch.mkdir(parents=True, exist_ok=True)
    code = (
        "import os; from app.store import Store; "
        "Store.open(os.environ['RELOS_DATABASE_URL']).close()"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=scratch, env=_env(tree, scratch))


def serve_once(tree: str, scratch: Path) -> tuple[float, float]:
    """Seconds from launching ``relos serve`` to its first ``/health`` and ``/routes``
    answers."""
    port = _free_port()
    log = (scratch / "serve.log").open("wb")
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [str(RELOS), "serve", "--port", str(port)],
        cwd=scratch,
        env=_env(tree, scratch),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"relos serve exited ({proc.returncode}):\n"
                    + (scratch / "serve.log").read_text(errors="replace")[-3000:]
                )
            try:
                if _get(port, "/health", timeout=5) == 200:
                    break
            except OSError:
                pass
            if time.perf_counter() - t0 > TIMEOUT_S:
                raise RuntimeError("relos serve did not come up")
            time.sleep(POLL_S)
        health = time.perf_counter() - t0
        status = _get(port, ROUTE)
        routes = time.perf_counter() - t0
        if status != 200:
            raise RuntimeError(f"GET {ROUTE}: {status}")
        return health, routes
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def import_once(tree: str, scratch: Path) -> tuple[float, list[str]]:
    """Seconds to ``import app.main`` in a fresh interpreter (the app built, no data
    loaded), and which of :data:`HEAVY` that imported."""
    code = (
        "import sys, time; t = time.perf_counter(); import app.main; "
        "print(time.perf_counter() - t); "
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        capture_output=True,
        text=True,
        cwd=scratch,
        env=_env(tree, scratch),
    ).stdout.splitlines()
    return float(out[-2]), [m for m in out[-1].split(",") if m]


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def main(argv: list[str]) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="starts per tree (default 5)")
    parser.add_argument(
        "--peer",
        action="append",
        default=[p for p in [os.environ.get("RELOS_START_PEER")] if p],
        help=(
            "another checkout to measure in the same run, as the PYTHONPATH its code is "
            "imported from (repeatable; DIR, or DIR:FALLBACK to overlay DIR's packages)"
        ),
    )
    args = parser.parse_args(argv)
    trees = {"this tree": str(ROOT)} | {f"peer {p}": p for p in args.peer}
    with tempfile.TemporaryDirectory(prefix="relos-bench-start-") as tmp:
        scratch = {name: Path(tmp) / f"t{i}" for i, name in enumerate(trees)}
        for name, tree in trees.items():
            prepare(tree, scratch[name])
        # one untimed start per tree: the page cache holds the code and the graph
        for name, tree in trees.items():
            serve_once(tree, scratch[name])
        print(f"start-up, warm graph cache, {args.runs} runs per tree, {_load()}")
        health: dict[str, list[float]] = {n: [] for n in trees}
        routes: dict[str, list[float]] = {n: [] for n in trees}
        imports: dict[str, list[float]] = {n: [] for n in trees}
        heavy: dict[str, list[str]] = {}
        for _ in range(args.runs):
            for name, tree in trees.items():  # alternate: both trees see the same load
                h, r = serve_once(tree, scratch[name])
                health[name].append(h)
                routes[name].append(r)
                seconds, heavy[name] = import_once(tree, scratch[name])
                imports[name].append(seconds)
        print(f"  (after: {_load()})")
        heads = ("import app.main", "serve to /health", "serve to /routes")
        width = max(len(n) for n in [*trees, "p50 (min-max), s"])
        print(f"  {'p50 (min-max), s':{width}s}" + "".join(f"{h:>20s}" for h in heads))
        for name in trees:
            cells = [
                f"{statistics.median(xs):.2f} ({min(xs):.2f}-{max(xs):.2f})"
                for xs in (imports[name], health[name], routes[name])
            ]
            print(f"  {name:{width}s}" + "".join(f"{c:>20s}" for c in cells))
            loaded = ", ".join(heavy[name]) or "none of " + ", ".join(HEAVY)
            print(f"  {'':{width}s}  imported by app.main: {loaded}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
