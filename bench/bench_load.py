"""Benchmark: the service under load, as it was (one process, every request computing at
once) against as it is served now (a process per core, heavy work gated), in one run.

Run: ``.venv/bin/python bench/bench_load.py [--seconds 30] [--clients 50]
[--configs 1:0 2:1 1:2:2]``. Each config is ``workers:heavy[:pool]`` (``heavy``: requests
computing at once per process, ``RELOS_HEAVY_CONCURRENCY``, 0 for no limit; ``pool``:
worker processes that compute, ``RELOS_COMPUTE_PROCESSES``, default 0). For each, the
script starts ``relos serve --workers N`` on a free loopback port (a
fresh SQLite store), waits for ``/health``, then runs ``--clients`` concurrent clients
for ``--seconds`` on a mix of routes, plans, access queries and maps, while one more
client, in a process of its own, asks ``/health`` and ``/facilities`` (the cheap requests a
planner's page makes)
every 50 ms. It prints throughput and latency for the mix and for the cheap requests.
Targets (issue 13): cheap p99 under 50 ms while the mix runs; mix throughput no lower
than one process gave (76 req/s measured before).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RELOS = Path(sys.executable).with_name("relos")

PLAN = {
    "nation": "IND",
    "platform": "talwar",
    "origin": "in-mumbai-naval-dockyard",
    "destination": "ru-vladivostok-naval-base",
    "departure": "2027-03-01T00:00:00Z",
}
MIX: list[tuple[str, str, dict | None]] = [
    ("GET", "/routes?origin=in-mumbai-naval-dockyard&destination=fr-toulon-naval-base", None),
    (
        "GET",
        "/routes?origin=ru-murmansk-port&destination=ru-vladivostok-naval-base&alternatives=3",
        None,
    ),
    ("POST", "/plans", PLAN),
    ("POST", "/plans", {**PLAN, "closed": ["malacca"]}),
    ("GET", "/access?nation=IND&date=2026-06-01&service=fuel", None),
    ("GET", "/maps/route?origin=in-kochi-naval-base&destination=jp-yokosuka-naval-base", None),
    ("POST", "/maps/plan", {**PLAN, "destination": "au-hmas-stirling"}),
]
CHEAP = ["/health", "/facilities?country=IND&limit=20"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _wait_up(base: str, proc: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=2) as c:
        for _ in range(600):
            if proc.poll() is not None:
                raise RuntimeError("the server exited")
            try:
                if (await c.get("/health")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError("the server did not come up")


def _probe(base: str, stop: float) -> tuple[list[float], list[int]]:
    """Ask the cheap requests every 50 ms until ``stop``; their latencies and errors."""
    cheap: list[float] = []
    errors: list[int] = []
    with httpx.Client(base_url=base, timeout=120) as c:
        i = 0
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            try:
                r = c.get(CHEAP[i % len(CHEAP)])
            except httpx.TimeoutException:
                errors.append(0)
                continue
            cheap.append(time.perf_counter() - t0)
            if r.status_code != 200:
                errors.append(r.status_code)
            i += 1
            time.sleep(0.05)
    return cheap, errors


async def _run(base: str, seconds: float, clients: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"mix": [], "cheap": [], "errors": []}
    limits = httpx.Limits(max_connections=clients + 2)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as c:
        # warm every worker's caches once per request shape
        for method, path, body in MIX * 2:
            await c.request(method, path, json=body)
        stop = time.perf_counter() + seconds

        async def mixer(k: int) -> None:
            i = k
            while time.perf_counter() < stop:
                method, path, body = MIX[i % len(MIX)]
                i += 1
                t0 = time.perf_counter()
                try:
                    r = await c.request(method, path, json=body)
                except httpx.TimeoutException:
                    out["errors"].append(0)
                    continue
                out["mix"].append(time.perf_counter() - t0)
                if r.status_code >= 500:
                    out["errors"].append(r.status_code)

        # the probe is a client of its own (a planner's page), in its own process: in
        # this event loop it would time the 50 clients' parsing as well as the server
        ctx = multiprocessing.get_context("spawn")
        with ctx.Pool(1) as pool:
            probe = pool.apply_async(_probe, (base, stop))
            await asyncio.gather(*(mixer(k) for k in range(clients)))
            cheap, errors = probe.get()
        out["cheap"] = cheap
        out["errors"] += errors
    return out


def measure(
    workers: int, heavy: int, seconds: float, clients: int, pool: int = 0
) -> dict[str, float]:
    """One server with ``workers`` processes (``heavy`` computing at once in each, in
    ``pool`` compute processes if any) under the load; its figures."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "RELOS_DATABASE_URL": f"sqlite:///{tmp}/load.sqlite",
            "RELOS_HEAVY_CONCURRENCY": str(heavy),
            "RELOS_COMPUTE_PROCESSES": str(pool),
        }
        cmd = [str(RELOS), "serve", "--port", str(port), "--workers", str(workers)]
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
        try:
            asyncio.run(_wait_up(base, proc))
            res = asyncio.run(_run(base, seconds, clients))
        finally:
            proc.terminate()  # uvicorn finishes what is in flight first: give it a while
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    mix, cheap = np.array(res["mix"]) * 1000, np.array(res["cheap"]) * 1000
    return {
        "rps": len(mix) / seconds,
        "mix_p50": float(np.percentile(mix, 50)),
        "mix_p99": float(np.percentile(mix, 99)),
        "cheap_p50": float(np.percentile(cheap, 50)),
        "cheap_p99": float(np.percentile(cheap, 99)),
        "errors": float(len(res["errors"])),
    }


def main() -> None:
    """Run and print."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--configs", nargs="+", default=["1:0", "2:1", "1:2:2"])
    args = ap.parse_args()
    results = []
    for config in args.configs:
        workers, heavy, pool = (int(x) for x in [*config.split(":"), "0"][:3])
        r = measure(workers, heavy, args.seconds, args.clients, pool)
        results.append(r)
        print(
            f"workers={workers} heavy={heavy or 'unlimited'} compute processes={pool}: "
            f"mix {r['rps']:.0f} req/s, "
            f"p50 {r['mix_p50']:.0f} ms, p99 {r['mix_p99']:.0f} ms; /health and /facilities "
            f"p50 {r['cheap_p50']:.1f} ms, p99 {r['cheap_p99']:.1f} ms (target 50); "
            f"errors {r['errors']:.0f}",
            flush=True,
        )
    if len(results) > 1:
        first, last = results[0], results[-1]
        rps = last["rps"] / first["rps"]
        p99 = last["cheap_p99"] / first["cheap_p99"]
        print(
            f"ratio {args.configs[-1]} / {args.configs[0]}: throughput {rps:.2f}, "
            f"cheap p99 {p99:.2f}"
        )


if __name__ == "__main__":
    main()
