"""Benchmark: the service against the size of its catalogue (issue 17), one row a size.

Run: ``.venv/bin/python bench/bench_scale.py`` (sizes 138 500 2000 5000), or
``.venv/bin/python bench/bench_scale.py --sizes 138 2000``. Prints a Markdown table;
``--readme`` also writes it into the README's scaling block (``Big catalogues``).
``--keep DIR`` keeps the catalogues and graph caches, and ``--reuse`` then loads each
graph built before instead of building it again (the build's own time and peak memory,
kept beside it in ``bench-build.json``, stay in the table).

For each size ``N`` a synthetic catalogue of ``N`` facilities is written to a temporary
GeoJSON file in the catalogue's format (``data/facilities.geojson``): the shipped
catalogue, then, as ``port`` facilities at their real positions, the ports of searoute's
port list (``searoute/data/ports.geojson``, UN/LOCODEs, Apache-2.0) within 3 km of raster
water (2,523 of its 3,924 codes: river and lake terminals are left out) in a fixed
shuffled order, then MARNET nodes within 15 km of the coast.
Synthetic ports offer fuel, provisions, water and berthing (so they are candidate stops
where an agreement opens them). The selection is deterministic and nested: every size's
catalogue holds the smaller ones'. A size at or under the shipped catalogue's is the
shipped catalogue itself.

Each size then runs, every step in a fresh process of its own:

1. **build**: the sea graph (:func:`routing.sea.cache.load_or_build`) in a fresh cache
   directory; wall time and peak RSS (``wait4``'s ``ru_maxrss`` of that process; a
   watchdog kills it past ``--max-rss-gb``). The backbone (port-independent) is taken
   from the default cache when it is there, so the figure is the port stage; ``--cold``
   builds the backbone too.
2. **tables**: the first load of the router, which computes and caches its open-water
   distance tables (:meth:`routing.sea.router.SeaRouter.warm`; cached ones are deleted
   first, with ``--reuse`` too): time and peak RSS.
3. **queries**: a warm start (imports, catalogue, graph and tables from the cache: the
   start-up figure), then in-process p50 of ``SeaRouter.route`` over random pairs of
   connected ports, p50 and p99 of ``Planner.plan`` over 20 rounds of the deployments of
   ``bench_plans.py`` (warm), the first plan under a new closure set (the median and
   the slowest of five, ``NEW_CLOSURES``, each new to the process), an infeasible
   plan (a short-legged ship at 20 kn from Mumbai to Vladivostok, as
   ``tests/app/test_plans_api.py`` asks: warm, median of three; ``--skip-infeasible``
   leaves it out) and the RSS of that process.
4. with ``--server``: ``relos serve`` over the catalogue, its RSS after one plan.
5. **add one port**: the next synthetic port attached to the cached graph without a
   rebuild (``load_or_build(..., extend=True)``, :func:`routing.sea.build.extend_graph`):
   time and peak RSS.

The machine's load (``os.getloadavg``) is printed with the table.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_SIZES = (138, 500, 2000, 5000)
SEED = 17
COAST_KM = 15.0
#: Deployments timed for the plan p50 (all between shipped facilities).
PLANS = [
    ("in-mumbai-naval-dockyard", "ru-vladivostok-naval-base", "talwar", ()),
    ("in-visakhapatnam-naval-dockyard", "ru-severomorsk-naval-base", "talwar", ()),
    ("in-karwar-naval-base", "ru-petropavlovsk-kamchatsky-port", "kolkata", ()),
    ("in-port-blair-naval-base", "jp-yokosuka-naval-base", "kamorta", ()),
    ("in-kochi-naval-base", "fr-toulon-naval-base", "shivalik", ()),
    ("in-chennai-naval-base", "au-hmas-stirling", "kamorta", ()),
]
NEW_CLOSURE = ("in-mumbai-naval-dockyard", "ru-vladivostok-naval-base", "talwar", ("malacca",))
#: The closure sets each planned once, new to the process, for the first plan under a new
#: closure set (its median and its slowest).
NEW_CLOSURES = (("malacca",), ("suez",), ("hormuz",), ("gibraltar",), ("bab-el-mandeb",))
#: An infeasible plan (tests/app/test_plans_api.py): a short-legged ship asked for 20 kn
#: from Mumbai to Vladivostok; the planner searches every stop, then suggests a speed.
INFEASIBLE = ("in-mumbai-naval-dockyard", "ru-vladivostok-naval-base")
SHORT_LEGGED = {"endurance_nm": 2500, "at_speed_kn": 14, "max_speed_kn": 28}
#: The port stage's timings in the graph's stats (the backbone's are the cached backbone's).
PORT_STAGES = ("graph_seconds", "gshhg_connector_seconds", "straighten_seconds")
#: Set (by ``--skip-infeasible``) in the children's environment: no infeasible plan.
SKIP_INFEASIBLE = "RELOS_BENCH_SKIP_INFEASIBLE"
#: ISO 3166-1 alpha-2 codes of searoute's list that are no longer assigned.
OLD_ALPHA2 = {"AN": "CUW", "CS": "MNE"}
SOURCE = {
    "title": "searoute port list (searoute/data/ports.geojson, Apache-2.0)",
    "url": "https://github.com/genthalili/searoute-py",
}


# -- catalogues ------------------------------------------------------------------


def _searoute_ports() -> list[dict[str, Any]]:
    """searoute's ports with raster water within ``PORT_SNAP_KM`` (the others, river and
    lake terminals, could not be joined to the sea), one per UN/LOCODE (the first listed),
    in a fixed shuffled order."""
    import numpy as np
    import pycountry
    import searoute

    from routing.paths import default_cache_dir
    from routing.sea.connect import PORT_SNAP_KM
    from routing.sea.land import LandMask

    mask = LandMask.load(default_cache_dir())
    path = Path(searoute.__file__).parent / "data" / "ports.geojson"
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for f in json.loads(path.read_text())["features"]:
        code = str(f["properties"]["port"]).upper()
        if code in seen or not code.isalnum():
            continue
        seen.add(code)
        a2 = code[:2]
        c = pycountry.countries.get(alpha_2=a2)
        iso3 = OLD_ALPHA2.get(a2) or (c.alpha_3 if c is not None else None)
        if iso3 is None:
            continue
        lon, lat = (float(x) for x in f["geometry"]["coordinates"])
        if mask.nearest_water(lon, lat, max_km=PORT_SNAP_KM) is None:
            continue
        out.append(
            {
                "id": f"syn-{code.lower()}",
                "name": f"{f['properties'].get('name') or code} ({code})",
                "country": iso3,
                "region": str(f["properties"].get("cty") or iso3),
                "lon": lon,
                "lat": lat,
                "position_source": f"searoute port list, UN/LOCODE {code}",
            }
        )
    out.sort(key=lambda p: p["id"])
    order = np.random.default_rng(SEED).permutation(len(out))
    return [out[i] for i in order]


def _marnet_coastal(ports: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """MARNET nodes on water within ``COAST_KM`` of land (raster), fixed shuffled order;
    each takes the country of the nearest listed port."""
    import numpy as np
    from scipy.spatial import cKDTree

    from routing.geo import to_unit_vectors
    from routing.paths import default_cache_dir
    from routing.sea.build import _read_marnet, marnet_source_path
    from routing.sea.land import LandMask

    mask = LandMask.load(default_cache_dir())
    nodes = np.array(sorted({p for e in _read_marnet(marnet_source_path()) for p in e}))
    lon, lat = nodes[:, 0], nodes[:, 1]
    coastal = np.zeros(len(nodes), dtype=bool)
    for r_km in (5.0, 10.0, COAST_KM):
        for b in np.radians(np.arange(0, 360, 22.5)):
            dlat = r_km / 111.2 * np.cos(b)
            dlon = r_km / 111.2 * np.sin(b) / np.maximum(np.cos(np.radians(lat)), 0.05)
            coastal |= mask.is_land(lon + dlon, np.clip(lat + dlat, -89.9, 89.9))
    coastal &= ~mask.is_land(lon, lat) & (np.abs(lat) < 75.0)
    idx = np.nonzero(coastal)[0]
    idx = idx[np.random.default_rng(SEED).permutation(len(idx))]
    tree = cKDTree(
        to_unit_vectors(np.array([p["lon"] for p in ports]), np.array([p["lat"] for p in ports]))
    )
    _, near = tree.query(to_unit_vectors(lon[idx], lat[idx]))
    return [
        {
            "id": f"syn-marnet-{k}",
            "name": f"MARNET coastal node {k}",
            "country": ports[int(j)]["country"],
            "region": ports[int(j)]["region"],
            "lon": round(float(lon[i]), 6),
            "lat": round(float(lat[i]), 6),
            "position_source": "searoute MARNET network node within 15 km of the coast",
        }
        for k, (i, j) in enumerate(zip(idx.tolist(), near.tolist(), strict=True))
    ]


def synthetic_catalogue(n: int, path: Path) -> int:
    """Write a catalogue of ``n`` facilities to ``path`` (see the module docstring);
    returns how many it holds (the shipped catalogue's size if ``n`` is at most that)."""
    from routing.catalogue.load import DEFAULT_FACILITIES

    doc = json.loads(DEFAULT_FACILITIES.read_text())
    shipped = doc["features"]
    extra = n - len(shipped)
    if extra > 0:
        ports = _searoute_ports()
        picks = ports[:extra]
        if extra > len(ports):
            picks += _marnet_coastal(ports)[: extra - len(ports)]
        if len(picks) < extra:
            raise SystemExit(f"only {len(shipped) + len(picks)} facilities can be made")
        doc["features"] = shipped + [
            {
                "type": "Feature",
                "id": p["id"],
                "geometry": {"type": "Point", "coordinates": [p["lon"], p["lat"]]},
                "properties": {
                    "name": p["name"],
                    "country": p["country"],
                    "kind": "port",
                    "region": p["region"],
                    "position_source": p["position_source"],
                    "position_precision_m": 1000,
                    "services": ["fuel", "provisions", "water", "berthing"],
                    "sources": [SOURCE],
                    "confidence": "uncertain",
                    "notes": "synthetic facility for bench/bench_scale.py",
                },
            }
            for p in picks
        ]
    path.write_text(json.dumps(doc))
    return len(doc["features"])


# -- child processes ---------------------------------------------------------------


def child_build(catalogue: Path, cache: Path) -> dict[str, Any]:
    """Build the sea graph for ``catalogue`` into ``cache`` (no router tables)."""
    from routing.catalogue.load import load_catalogue
    from routing.sea.cache import load_or_build
    from routing.sea.graph import PortSite
    from routing.vocab import SEA_KINDS

    cat = load_catalogue(catalogue)
    ports = [PortSite(f.id, f.lon, f.lat) for f in cat if f.kind in SEA_KINDS]
    before = set(cache.glob("graph-*.npz"))
    t = time.perf_counter()
    graph, _ = load_or_build(ports, cache_dir=cache)
    s = graph.stats
    return {
        "build_s": time.perf_counter() - t,
        "cached": bool(before),
        "ports": len(ports),
        "connected": int(graph.connected.sum()),
        "nodes": graph.n_nodes,
        "edges": len(graph.a_from),
        "stages": {k: s[k] for k in PORT_STAGES if k in s},
    }


def child_extend(catalogue: Path, cache: Path) -> dict[str, Any]:
    """Attach the catalogue's ports missing from the cached graph to it (one, here)."""
    from routing.catalogue.load import load_catalogue
    from routing.sea.cache import load_or_build
    from routing.sea.graph import PortSite
    from routing.vocab import SEA_KINDS

    cat = load_catalogue(catalogue)
    ports = [PortSite(f.id, f.lon, f.lat) for f in cat if f.kind in SEA_KINDS]
    t = time.perf_counter()
    graph, _ = load_or_build(ports, cache_dir=cache, extend=True)
    return {
        "extend_s": time.perf_counter() - t,
        "added": graph.stats.get("ports_added", 0.0),
    }


def child_tables(catalogue: Path, cache: Path) -> dict[str, Any]:
    """The router's first load: its distance tables computed and cached."""
    from routing.catalogue.load import load_catalogue
    from routing.service import sea_router_for

    cat = load_catalogue(catalogue)
    t = time.perf_counter()
    sea_router_for(cat, cache_dir=cache)
    return {"tables_s": time.perf_counter() - t}


def child_queries(catalogue: Path, cache: Path, t_launch: float) -> dict[str, Any]:
    """Warm start, then routes and plans in-process."""
    t0 = time.perf_counter()
    import numpy as np

    from routing.catalogue.load import load_catalogue
    from routing.catalogue.platforms import Platform, load_platforms
    from routing.errors import NoRouteError
    from routing.memory import set_numpy_hugepages
    from routing.plan.planner import Member, Planner, PlanRequest
    from routing.service import sea_router_for

    set_numpy_hugepages(False)  # as the service runs (RELOS_NUMPY_HUGEPAGES)
    cat = load_catalogue(catalogue)
    sea = sea_router_for(cat, cache_dir=cache)
    out: dict[str, Any] = {
        "startup_s": time.perf_counter() - t0,
        "startup_wall_s": time.time() - t_launch,
    }

    def report(**figures: Any) -> None:  # a line a step: a step that fails keeps the others
        out.update(figures, query_rss_gb=_rss_of(os.getpid()))
        print(json.dumps(out), flush=True)

    ids = list(sea.connected_ports)
    rng = np.random.default_rng(SEED)
    pairs = [tuple(ids[k] for k in rng.choice(len(ids), 2, replace=False)) for _ in range(200)]
    times = []
    for k, (a, b) in enumerate([*pairs[:10], *pairs]):
        t = time.perf_counter()
        with contextlib.suppress(NoRouteError):  # cut off by a seasonal closure: timed too
            sea.route(a, b)
        if k >= 10:  # the first ten warm up
            times.append(time.perf_counter() - t)
    report(route_p50_ms=float(np.percentile(times, 50)) * 1000)
    platforms = load_platforms()
    planner = Planner(cat, sea, platforms=platforms, air_cache_dir=cache)
    dep = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)

    def request(case: tuple[str, str, str, tuple[str, ...]]) -> PlanRequest:
        a, b, p, closed = case
        return PlanRequest(
            nation="IND",
            group=(Member(platforms[p]),),
            origin=a,
            destination=b,
            departure=dep,
            closed=frozenset(closed),
        )

    reqs = [request(c) for c in PLANS]
    t = time.perf_counter()
    planner.plan(reqs[0])
    first_plan = time.perf_counter() - t
    for r in reqs[1:]:
        planner.plan(r)
    plan_times = []
    for _ in range(20):
        for r in reqs:
            t = time.perf_counter()
            planner.plan(r)
            plan_times.append(time.perf_counter() - t)
    report(
        first_plan_ms=first_plan * 1000,
        plan_p50_ms=float(np.percentile(plan_times, 50)) * 1000,
        plan_p99_ms=float(np.percentile(plan_times, 99)) * 1000,
    )
    firsts = []
    for closed in NEW_CLOSURES:
        t = time.perf_counter()
        planner.plan(request((*NEW_CLOSURE[:3], closed)))
        firsts.append(time.perf_counter() - t)
    report(
        new_closure_ms=float(np.median(firsts)) * 1000,
        new_closure_max_ms=max(firsts) * 1000,
    )
    if os.environ.get(SKIP_INFEASIBLE):
        return out
    short = Platform(id="short-legged", name="short-legged", **SHORT_LEGGED)
    infeasible = PlanRequest(
        nation="IND",
        group=(Member(short),),
        origin=INFEASIBLE[0],
        destination=INFEASIBLE[1],
        departure=dep,
        speed_kn=20.0,
    )
    inf_times = []
    feasible = None
    for _ in range(4):
        t = time.perf_counter()
        res = planner.plan(infeasible)
        inf_times.append(time.perf_counter() - t)
        feasible = bool(res.feasible)
        report(
            infeasible_ms=float(np.median(inf_times[1:] or inf_times)) * 1000,
            infeasible_first_ms=inf_times[0] * 1000,
            infeasible_is_infeasible=not feasible,
        )
    return out


def _rss_of(pid: int) -> float:
    """Resident memory (GB) of a process and its children."""
    import psutil

    try:
        p = psutil.Process(pid)
        procs = [p, *p.children(recursive=True)]
    except psutil.Error:
        return float("nan")
    total = 0
    for q in procs:
        with contextlib.suppress(psutil.Error):
            total += q.memory_info().rss
    return total / 1e9


def run_child(
    step: str, catalogue: Path, cache: Path, *, max_rss_gb: float, timeout: float
) -> dict[str, Any]:
    """Run one step in a fresh process; its answer with ``wall_s`` and ``peak_gb``
    (``ru_maxrss``), or ``error``."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", step]
    cmd += ["--catalogue", str(catalogue), "--cache", str(cache), "--launch", repr(time.time())]
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    killed: list[str] = []

    def watch() -> None:
        while proc.poll() is None:
            rss = _rss_of(proc.pid)
            if rss > max_rss_gb:
                killed.append(f"killed at {rss:.1f} GB RSS (--max-rss-gb)")
                proc.kill()
            elif time.perf_counter() - t > timeout:
                killed.append(f"killed after {timeout:.0f} s (--timeout)")
                proc.kill()
            time.sleep(0.5)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    out_chunks: list[bytes] = []
    err_chunks: list[bytes] = []
    readers = [
        threading.Thread(target=lambda: out_chunks.append(proc.stdout.read()), daemon=True),  # type: ignore[union-attr]
        threading.Thread(target=lambda: err_chunks.append(proc.stderr.read()), daemon=True),  # type: ignore[union-attr]
    ]
    for r in readers:
        r.start()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    for r in readers:
        r.join()
    watcher.join(timeout=2)
    wall = time.perf_counter() - t
    peak = usage.ru_maxrss * 1024 / 1e9  # kB on Linux
    stdout = b"".join(out_chunks).decode(errors="replace").strip().splitlines()
    stderr = b"".join(err_chunks).decode(errors="replace")
    done = [ln for ln in stdout if ln.startswith("{")]
    partial = json.loads(done[-1]) if done else {}
    if proc.returncode != 0 or not done:
        tail = [ln for ln in stderr.strip().splitlines() if ln.strip()][-1:] or ["no output"]
        reason = killed[0] if killed else tail[0][:160]
        return {**partial, "error": reason, "wall_s": wall, "peak_gb": peak}
    return {**partial, "wall_s": wall, "peak_gb": peak}


# -- server --------------------------------------------------------------------------


def server_rss(catalogue: Path, cache: Path) -> dict[str, Any]:
    """``relos serve`` over the catalogue: RSS (GB) after one plan, and start to first answer."""
    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "RELOS_DATABASE_URL": f"sqlite:///{tmp}/scale.sqlite",
            "RELOS_FACILITIES_PATH": str(catalogue),
            "RELOS_CACHE_DIR": str(cache),
        }
        relos = Path(sys.executable).with_name("relos")
        t = time.perf_counter()
        proc = subprocess.Popen(
            [str(relos), "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            with httpx.Client(base_url=base, timeout=600) as c:
                for _ in range(3000):
                    if proc.poll() is not None:
                        return {"error": "the server exited"}
                    try:
                        if c.get("/health").status_code == 200:
                            break
                    except httpx.HTTPError:
                        time.sleep(0.2)
                up = time.perf_counter() - t
                a, b, p, _ = PLANS[0]
                body = {
                    "nation": "IND",
                    "platform": p,
                    "origin": a,
                    "destination": b,
                    "departure": "2027-03-01T00:00:00Z",
                }
                c.post("/plans", json=body)
                return {"server_up_s": up, "server_rss_gb": _rss_of(proc.pid)}
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


# -- the table -----------------------------------------------------------------------


def _fmt(row: dict[str, Any], key: str, spec: str, unit: str = "") -> str:
    v = row.get(key)
    if v is None:
        return "—"
    return f"{v:{spec}}{unit}"


def table(rows: list[dict[str, Any]], *, server: bool) -> str:
    """The figures as a Markdown table (and the build stages under it)."""
    lines: list[str] = []
    head = [
        "facilities (ports)",
        "graph build",
        "peak build memory",
        "router tables",
        "start-up (warm cache)",
        "route p50",
        "plan p50 (p99)",
        "first plan, new closure set",
        "infeasible plan",
        "query process memory",
        "add one port",
    ]
    if server:
        head.append("server memory")
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "---|" * len(head))
    for r in rows:
        build = r["build"]
        if "error" in build:
            b = f"{build['error']} after {build['wall_s']:.0f} s"
        elif build.get("cached") and "when_built" in build:
            build = {**build, **build["when_built"]}  # the figures of the build itself
            b = f"{build['build_s']:,.0f} s (cached)"
        elif build.get("cached"):
            st = build["stages"]
            built = st.get("graph_seconds", 0.0) + st.get("straighten_seconds", 0.0)
            b = f"cached ({built:.0f} s when built)"
        else:
            b = f"{build['build_s']:,.0f} s"
        tab, q = r.get("tables", {}), r.get("queries", {})
        cells = [
            f"{r['facilities']:,} ({build.get('ports', r.get('ports', 0)):,})",
            b,
            f"{build['peak_gb']:.2f} GB",
            f"{tab['tables_s']:.1f} s / {tab['peak_gb']:.2f} GB" if "tables_s" in tab else "—",
            _fmt(q, "startup_s", ".2f", " s"),
            _fmt(q, "route_p50_ms", ".3f", " ms"),
            _fmt(q, "plan_p50_ms", ".2f", " ms")
            + (f" ({q['plan_p99_ms']:.1f} ms)" if "plan_p99_ms" in q else ""),
            _fmt(q, "new_closure_ms", ".1f", " ms")
            + (f" (slowest {q['new_closure_max_ms']:.0f} ms)" if "new_closure_max_ms" in q else ""),
            _fmt(q, "infeasible_ms", ".1f", " ms")
            + ("" if q.get("infeasible_is_infeasible", True) else " (feasible)")
            + (f" (first {q['infeasible_first_ms']:.0f} ms)" if "infeasible_first_ms" in q else ""),
            _fmt(q, "query_rss_gb", ".2f", " GB")
            + (f" ({q['error']} after {q['wall_s']:.0f} s)" if "error" in q else ""),
            _extend_cell(r.get("extend", {})),
        ]
        if server:
            s = r.get("server", {})
            cells.append(_fmt(s, "server_rss_gb", ".2f", " GB"))
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    for r in rows:
        st = r["build"].get("stages")
        if st:
            parts = ", ".join(f"{k.removesuffix('_seconds')} {v:.0f} s" for k, v in st.items())
            lines.append(f"{r['facilities']:,} facilities, build stages: {parts}.")
    return "\n".join(lines)


BUILD_RECORD = "bench-build.json"
"""A build's own figures, kept in its cache folder: a run with ``--reuse`` reports them."""
README_BEGIN = "<!-- bench_scale: begin -->"
README_END = "<!-- bench_scale: end -->"


def _remember_build(cache: Path, build: dict[str, Any]) -> None:
    record = cache / BUILD_RECORD
    if "error" in build:
        return
    if not build.get("cached"):
        record.write_text(json.dumps(build), encoding="utf-8")
    elif record.exists():
        build["when_built"] = json.loads(record.read_text(encoding="utf-8"))


def write_readme(text: str, readme: Path = ROOT / "README.md") -> None:
    """Put ``text`` between the README's ``bench_scale`` markers (atomically)."""
    doc = readme.read_text(encoding="utf-8")
    if README_BEGIN not in doc or README_END not in doc:
        raise SystemExit(f"{readme} has no {README_BEGIN} ... {README_END} block")
    head, rest = doc.split(README_BEGIN, 1)
    _, tail = rest.split(README_END, 1)
    tmp = readme.with_suffix(".md.tmp")
    tmp.write_text(f"{head}{README_BEGIN}\n{text}\n{README_END}{tail}", encoding="utf-8")
    os.replace(tmp, readme)


def _extend_cell(ext: dict[str, Any]) -> str:
    if "extend_s" in ext:
        return f"{ext['extend_s']:.0f} s / {ext['peak_gb']:.2f} GB"
    return ext.get("error", "—")[:60]


def _extend_cache(cache: Path, scratch: Path, ports: int) -> Path:
    """A scratch cache holding ``cache``'s raster, backbone and graph of ``ports`` ports
    (linked): the next port is attached there every run, never found already cached."""
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    for f in cache.iterdir():
        keep = f.name.startswith(("landbits-", "backbone-"))
        if f.name.endswith(".ports.json"):
            keep = len(json.loads(f.read_text(encoding="utf-8"))) == ports
            npz = f.with_name(f.name.removesuffix(".ports.json") + ".npz")
            if keep:
                (scratch / npz.name).symlink_to(npz.resolve())
        if keep:
            (scratch / f.name).symlink_to(f.resolve())
    return scratch


def _seed_cache(cache: Path, *, cold: bool) -> None:
    """A fresh cache directory, with the land raster and (unless ``cold``) the backbone
    linked from the default cache when they are there."""
    from routing.paths import default_cache_dir

    cache.mkdir(parents=True, exist_ok=True)
    src = default_cache_dir()
    patterns = ["landbits-*.npy"] + ([] if cold else ["backbone-*.npz"])
    for pat in patterns:
        for f in src.glob(pat):
            (cache / f.name).symlink_to(f)


def main(argv: list[str] | None = None) -> int:
    """Run the sizes asked for and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    ap.add_argument("--cold", action="store_true", help="build the backbone too")
    ap.add_argument("--server", action="store_true", help="measure relos serve's memory too")
    ap.add_argument("--build-only", action="store_true", help="graph build figures only")
    ap.add_argument("--max-rss-gb", type=float, default=14.0, help="kill a step beyond this")
    ap.add_argument("--timeout", type=float, default=4 * 3600.0, help="seconds a step may take")
    ap.add_argument("--keep", type=Path, default=None, help="keep catalogues and caches here")
    ap.add_argument(
        "--reuse", action="store_true", help="with --keep: load a graph built before, if any"
    )
    ap.add_argument(
        "--skip-infeasible",
        action="store_true",
        help="leave out the infeasible plan (its memory can pass --max-rss-gb at 5,000)",
    )
    ap.add_argument(
        "--child", choices=["build", "extend", "tables", "queries"], help=argparse.SUPPRESS
    )
    ap.add_argument("--catalogue", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--launch", type=float, default=0.0, help=argparse.SUPPRESS)
    ap.add_argument(
        "--readme", action="store_true", help="write the table into README.md's scaling block"
    )
    args = ap.parse_args(argv)
    if args.child:
        os.environ["RELOS_CACHE_DIR"] = str(args.cache)
        if args.child == "build":
            out = child_build(args.catalogue, args.cache)
        elif args.child == "extend":
            out = child_extend(args.catalogue, args.cache)
        elif args.child == "tables":
            out = child_tables(args.catalogue, args.cache)
        else:
            out = child_queries(args.catalogue, args.cache, args.launch)
        print(json.dumps(out), flush=True)
        return 0
    if args.skip_infeasible:
        os.environ[SKIP_INFEASIBLE] = "1"
    work = args.keep or Path(tempfile.mkdtemp(prefix="relos-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    load0 = os.getloadavg()
    rows: list[dict[str, Any]] = []
    try:
        for n in args.sizes:
            cat = work / f"facilities-{n}.geojson"
            count = synthetic_catalogue(n, cat)
            cache = work / f"cache-{n}"
            if not (args.reuse and cache.exists()):
                shutil.rmtree(cache, ignore_errors=True)
                _seed_cache(cache, cold=args.cold)
            limits = {"max_rss_gb": args.max_rss_gb, "timeout": args.timeout}
            row: dict[str, Any] = {"size": n, "facilities": count}
            row["build"] = run_child("build", cat, cache, **limits)
            _remember_build(cache, row["build"])
            print(f"# {count} facilities: build {json.dumps(row['build'])}", file=sys.stderr)
            if "error" not in row["build"] and not args.build_only:
                for old in [*cache.glob("tables-*.npz"), *cache.glob("tables2-*.npy")]:
                    old.unlink()  # computed afresh, so the figure is the computation's
                row["tables"] = run_child("tables", cat, cache, **limits)
                row["queries"] = run_child("queries", cat, cache, **limits)
                if args.server:
                    row["server"] = server_rss(cat, cache)
            if "error" not in row["build"]:
                plus = work / f"facilities-{n}-plus-one.geojson"
                synthetic_catalogue(count + 1, plus)
                scratch = _extend_cache(cache, work / f"cache-{n}-extend", row["build"]["ports"])
                row["extend"] = run_child("extend", plus, scratch, **limits)
                shutil.rmtree(scratch, ignore_errors=True)
                print(f"# {json.dumps(row)}", file=sys.stderr)
            rows.append(row)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    load1 = os.getloadavg()
    text = (
        f"Measured {dt.date.today():%Y-%m-%d} by `bench/bench_scale.py`: {os.cpu_count()} cores; "
        f"load average (1/5/15 min) {load0[0]:.2f}/{load0[1]:.2f}/{load0[2]:.2f} at the "
        f"start, {load1[0]:.2f}/{load1[1]:.2f}/{load1[2]:.2f} at the end.\n\n"
        + table(rows, server=args.server)
    )
    print(text)
    if args.readme:
        write_readme(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
