"""The sea graph's cache: keys over every input, atomic writes, pruning.

Cache: the directory passed in, else :func:`routing.paths.default_cache_dir`
(``$RELOS_CACHE_DIR``, else the platform's user cache directory). The backbone
file is keyed by the SHA-256 of the MARNET file, the land-mask archive, the
coastline package's version, :data:`~routing.sea.build.BUILD_VERSION` and the
waterways file (they waive the land check); the graph file also by
:data:`~routing.sea.build.GRAPH_BUILD_VERSION`, the port list and the passages file
(the passage tags are baked into it). Files are written to a temporary name and
moved into place with ``os.replace``.

Beside each graph, ``graph-<key>.ports.json`` lists its ports (id, lon, lat, in order),
so that :func:`load_or_build` with ``extend=True`` can find a cached graph built on the
same backbone, build version and sea data whose ports are among those asked for, and
attach only the missing ones (:func:`routing.sea.build.extend_graph`).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from routing.files import atomic_save_npz, atomic_write, file_digest
from routing.paths import default_cache_dir
from routing.sea.build import (
    BUILD_VERSION,
    GRAPH_BUILD_VERSION,
    Backbone,
    backbone_from_arrays,
    backbone_to_arrays,
    build_backbone,
    build_graph,
    extend_graph,
    marnet_source_path,
    reorder_ports,
)
from routing.sea.coast import Coastline, coastline_digest
from routing.sea.graph import PortSite, SeaGraph
from routing.sea.land import LandMask, mask_source_path
from routing.sea.passages import SeaData, default_sea_data

log = logging.getLogger(__name__)


def backbone_key(marnet_digest: str, mask_digest: str, sea: SeaData) -> str:
    """Cache key of the backbone: build version, MARNET, land mask, coastline, waterways."""
    h = hashlib.sha256()
    parts = (BUILD_VERSION, marnet_digest, mask_digest, coastline_digest(), sea.waiver_digest)
    for part in parts:
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()[:20]


def graph_key(bb_key: str, ports: Sequence[PortSite], sea: SeaData) -> str:
    """Cache key of the graph: the backbone key, the sea data files and the port list."""
    return _lines_key(bb_key, [_port_line(p) for p in ports], sea)


def _lines_key(bb_key: str, lines: Sequence[object], sea: SeaData) -> str:
    h = hashlib.sha256(bb_key.encode())
    h.update(GRAPH_BUILD_VERSION.encode())
    h.update(sea.graph_digest.encode())
    for line in lines:
        h.update(str(line).encode())
    return h.hexdigest()[:20]


def _port_line(p: PortSite) -> str:
    return f"{p.id}|{float(p.lon):.7f}|{float(p.lat):.7f}\n"


def load_or_build(
    ports: Sequence[PortSite],
    *,
    cache_dir: Path | None = None,
    sea: SeaData | None = None,
    extend: bool = False,
) -> tuple[SeaGraph, Path]:
    """The sea graph for ``ports``: from the cache when its key matches, else built.

    With ``extend``, a graph not in the cache is made, if it can be, from the cached
    graph with the most of ``ports`` (and no other port, each where it is now) by
    attaching the missing ports to it (:func:`routing.sea.build.extend_graph`: seconds a
    port, not a build); its ports are then put in the order asked for.

    Parameters
    ----------
    ports : sequence of PortSite
        Port facilities to connect (ids must be unique).
    cache_dir : Path or None
        Cache directory; default :func:`routing.paths.default_cache_dir`.
    sea : SeaData or None
        Passages and waterways (default: the shipped ``data/sea``).
    extend : bool
        Attach new ports to a cached graph rather than building one (see above).

    Returns
    -------
    tuple
        The graph and the cache directory used.
    """
    ids = [p.id for p in ports]
    if len(set(ids)) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})
        raise ValueError(f"duplicate port ids: {', '.join(dup)}")
    sea = sea or default_sea_data()
    cache = cache_dir or default_cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    mdig = file_digest(marnet_source_path())
    ldig = file_digest(mask_source_path())
    bkey = backbone_key(mdig, ldig, sea)
    gkey = graph_key(bkey, ports, sea)
    gpath = cache / f"graph-{gkey}.npz"
    if gpath.exists():
        try:
            with np.load(gpath) as f:
                graph = SeaGraph.from_arrays(dict(f), passage_ids=sea.passage_ids)
            if not _ports_path(cache, gkey).exists():  # written before the lists were kept
                _write_ports(cache, gkey, ports)
            return graph, cache
        except (ValueError, OSError, KeyError) as exc:
            log.warning("cached graph %s unreadable (%s): rebuilding", gpath, exc)
    mask = LandMask.load(cache, digest=ldig).with_waivers(sea.waterway_union)
    base = _extendable(cache, bkey, ports, sea) if extend else None
    if base is not None:
        have = set(base.port_ids)
        new = [p for p in ports if p.id not in have]
        log.info("graph %s: %d ports attached to cached graph %s", gkey, len(new), base.version)
        graph = extend_graph(base, new, mask, sea, version=gkey, coast=Coastline())
        graph = reorder_ports(graph, ids)
    else:
        bpath = cache / f"backbone-{bkey}.npz"
        bb: Backbone | None = None
        if bpath.exists():
            try:
                with np.load(bpath) as f:
                    bb = backbone_from_arrays(dict(f))
            except (ValueError, OSError, KeyError) as exc:
                log.warning("cached backbone %s unreadable (%s): rebuilding", bpath, exc)
        coast = Coastline()
        if bb is None:
            bb = build_backbone(mask, marnet_source_path(), sea, coast)
            atomic_save_npz(bpath, backbone_to_arrays(bb))
        graph = build_graph(bb, mask, ports, sea, version=gkey, coast=coast)
    atomic_save_npz(gpath, graph.to_arrays())
    _write_ports(cache, gkey, ports)
    _prune(cache, keep=KEEP_GRAPHS)
    return graph, cache


def _ports_path(cache: Path, key: str) -> Path:
    return cache / f"graph-{key}.ports.json"


def _write_ports(cache: Path, key: str, ports: Sequence[PortSite]) -> None:
    try:
        atomic_write(_ports_path(cache, key), json.dumps([_port_line(p) for p in ports]).encode())
    except OSError as exc:  # a read-only cache still serves its graphs
        log.warning("cannot write the port list of graph %s: %s", key, exc)


def _extendable(cache: Path, bkey: str, ports: Sequence[PortSite], sea: SeaData) -> SeaGraph | None:
    """The cached graph with the most of ``ports`` and no other (each at the same
    position), built on backbone ``bkey`` with this build version and sea data, if any."""
    wanted = {_port_line(p) for p in ports}
    best: tuple[int, Path] | None = None
    for side in cache.glob("graph-*.ports.json"):
        try:
            lines = json.loads(side.read_text())
        except (OSError, ValueError):
            continue
        key = side.name.removeprefix("graph-").removesuffix(".ports.json")
        if _lines_key(bkey, lines, sea) != key or not set(lines) <= wanted:
            continue  # another backbone, build or sea data, or a port gone or moved
        path = cache / f"graph-{key}.npz"
        if path.exists() and (best is None or len(lines) > best[0]):
            best = (len(lines), path)
    if best is None:
        return None
    try:
        with np.load(best[1]) as f:
            return SeaGraph.from_arrays(dict(f), passage_ids=sea.passage_ids)
    except (ValueError, OSError, KeyError) as exc:
        log.warning("cached graph %s unreadable (%s): not extended", best[1], exc)
        return None


KEEP_GRAPHS = 8
"""Graph versions (port lists) kept in the cache; older ones are deleted."""


def _prune(cache: Path, *, keep: int) -> None:
    """Delete all but the ``keep`` most recently written graphs (and their tables)."""
    graphs = sorted(cache.glob("graph-*.npz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in graphs[keep:]:
        key = old.stem.removeprefix("graph-")
        old.unlink(missing_ok=True)
        (cache / f"tables-{key}.npz").unlink(missing_ok=True)
        for table in cache.glob(f"tables2-{key}.*.npy"):  # the router's tables, a file each
            table.unlink(missing_ok=True)
        _ports_path(cache, key).unlink(missing_ok=True)
