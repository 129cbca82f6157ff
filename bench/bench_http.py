"""HTTP benchmark: what a client of ``relos serve`` waits for a cheap answer (issue 17).

Starts ``relos serve`` (one worker; ``--compute-processes``, default 0: answers computed
in the server) over the shipped catalogue or ``--facilities`` (with its graph cache,
``--cache``), and times from one client on loopback, keeping the connection open as a
script would: ``GET /health`` (the floor: the server and HTTP alone), ``GET /routes``
between two catalogue facilities, ``GET /facilities?limit=20`` and ``POST /matrix``
between ``--matrix`` sea facilities (500 by default, fewer if the catalogue has fewer).
Prints the first answer's time (the matrix's: a new block computed) and p50 and p90 of
the others (the first tenth left out) with the machine's load before and after.

Usage::

    .venv/bin/python bench/bench_http.py [--requests 300] [--matrix 500]
    .venv/bin/python bench/bench_http.py --facilities big.geojson --cache DIR
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
RELOS = Path(sys.executable).with_name("relos")
ROUTE = "/routes?origin=in-mumbai-naval-dockyard&destination=fr-toulon-naval-base"
SEA_KINDS = ("naval_base", "port")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _sea_ids(facilities: Path, n: int) -> list[str]:
    doc = json.loads(facilities.read_text(encoding="utf-8"))
    ids = [f["id"] for f in doc["features"] if f["properties"]["kind"] in SEA_KINDS]
    return ids[:n]


def _times(client: httpx.Client, method: str, path: str, n: int, **kw: Any) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        answer = client.request(method, path, **kw)
        out.append(time.perf_counter() - t)
        if answer.status_code != 200:
            raise RuntimeError(f"{method} {path}: {answer.status_code} {answer.text[:300]}")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=300, help="requests per cheap answer")
    ap.add_argument("--matrix", type=int, default=500, help="facilities in the matrix")
    ap.add_argument("--matrix-requests", type=int, default=20)
    ap.add_argument("--facilities", type=Path, default=ROOT / "data" / "facilities.geojson")
    ap.add_argument("--cache", type=Path, default=None, help="graph cache (RELOS_CACHE_DIR)")
    ap.add_argument("--compute-processes", type=int, default=0)
    args = ap.parse_args()
    load0 = os.getloadavg()
    port = _free_port()
    with tempfile.TemporaryDirectory() as scratch:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RELOS_")}
        env.update(
            RELOS_DATABASE_URL=f"sqlite:///{scratch}/relos.sqlite",
            RELOS_SWEEPS_DIR=f"{scratch}/sweeps",
            RELOS_FACILITIES_PATH=str(args.facilities.resolve()),
            RELOS_COMPUTE_PROCESSES=str(args.compute_processes),
        )
        if args.cache is not None:
            env["RELOS_CACHE_DIR"] = str(args.cache.resolve())
        log = Path(scratch, "serve.log").open("wb")  # noqa: SIM115 (closed below)
        proc = subprocess.Popen(
            [str(RELOS), "serve", "--port", str(port)],
            cwd=scratch,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=600)
            t0 = time.perf_counter()
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(Path(scratch, "serve.log").read_text()[-3000:])
                try:
                    if client.get("/health").status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.05)
                if time.perf_counter() - t0 > 1800:
                    raise RuntimeError("relos serve did not come up")
            ids = _sea_ids(args.facilities, args.matrix)
            _times(client, "GET", ROUTE, 50)  # the server's first answers: lazy set-up
            rows = [
                ("GET /health", _times(client, "GET", "/health", args.requests)),
                ("GET /routes", _times(client, "GET", ROUTE, args.requests)),
                (
                    "GET /facilities?limit=20",
                    _times(client, "GET", "/facilities?limit=20", args.requests),
                ),
                (
                    f"POST /matrix {len(ids)} x {len(ids)}",
                    _times(
                        client, "POST", "/matrix", args.matrix_requests, json={"facilities": ids}
                    ),
                ),
            ]
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
            log.close()
    load1 = os.getloadavg()
    print(f"relos serve over {args.facilities.name}, {os.cpu_count()} cores")
    print(
        f"load average {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f} before, "
        f"{load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f} after"
    )
    print(f"{'request':34s} {'first ms':>9s} {'p50 ms':>9s} {'p90 ms':>9s}")
    for name, times in rows:
        ts = sorted(times[max(1, len(times) // 10) :])  # the first tenth warms the caches
        p90 = ts[int(0.9 * (len(ts) - 1))]
        print(
            f"{name:34s} {times[0] * 1e3:9.2f} {statistics.median(ts) * 1e3:9.2f} {p90 * 1e3:9.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
