"""The contracted sea-routing graph as plain arrays, and the port sites it joins."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from scipy.sparse import csr_matrix

from routing.geo import line_nm, wrap


@dataclass(frozen=True)
class PortSite:
    """A port facility to connect: ``id`` and position (lon, lat in degrees)."""

    id: str
    lon: float
    lat: float


class Arcs(NamedTuple):
    """The directed arcs of a :class:`SeaGraph`: every edge's forward arc, then the
    backward ones; ``order`` sorts them by (from, to)."""

    frm: np.ndarray
    to: np.ndarray
    edge: np.ndarray
    rev: np.ndarray  # runs against its edge's geometry
    order: np.ndarray

    def csr(self, n_nodes: int, weight: np.ndarray, keep: np.ndarray | None = None) -> csr_matrix:
        """The arcs (those where ``keep``) as a CSR matrix of their ``weight``; parallel
        arcs stay apart (the shortest-path routines take the lighter one)."""
        sel = self.order if keep is None else self.order[keep[self.order]]
        indptr = np.zeros(n_nodes + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.frm[sel], minlength=n_nodes), out=indptr[1:])
        return csr_matrix((weight[sel], self.to[sel], indptr), shape=(n_nodes, n_nodes))


def _ranges(start: np.ndarray, size: np.ndarray) -> np.ndarray:
    """``start[k], ..., start[k] + size[k] - 1`` for each ``k`` in turn, as one array."""
    ends = np.cumsum(size)
    return np.arange(int(ends[-1]) if len(ends) else 0) + np.repeat(start + size - ends, size)


def _repeats(dlon: np.ndarray, dlat: np.ndarray) -> np.ndarray:
    """Whether a step of (dlon, dlat) degrees repeats a point (the routes' own test)."""
    return ~((np.abs(wrap(dlon)) > 1e-9) | (np.abs(dlat) > 1e-9))


class ArcTracks(NamedTuple):
    """Every arc's track in its direction of travel, laid end to end, for gathering a
    route's coordinates in a few array operations.

    Arc ``a`` runs through ``xy[off[a]:off[a + 1]]`` (longitudes reduced to [-180, 180)):
    its first point, then those that do not repeat the point before them. ``seam[a]``:
    every arc leaving the node where arc ``a`` ends starts on a repeat of ``a``'s last
    point, which a route then drops. ``step_nm[i]``: the WGS84 geodesic length from the
    point before ``i`` on its arc to ``i`` (0 at an arc's first point), measured for an
    arc the first time a route asks (``nan`` until then: :meth:`steps`).
    """

    xy: np.ndarray
    off: np.ndarray
    seam: np.ndarray
    seamless: bool  # seam everywhere
    step_nm: np.ndarray

    def _gather(self, arcs: np.ndarray) -> np.ndarray | None:
        """Where the track of consecutive ``arcs`` lies in ``xy``, each junction once;
        ``None`` where the arcs do not meet seamlessly."""
        if not self.seamless and not self.seam[arcs[:-1]].all():
            return None
        start = self.off[arcs]
        start[1:] += 1  # each junction point once
        return _ranges(start, self.off[arcs + 1] - start)

    def points(self, arcs: np.ndarray) -> np.ndarray | None:
        """The track of consecutive ``arcs`` with no point repeating the one before it,
        (n, 2); ``None`` where the arcs do not meet seamlessly (the caller then joins the
        tracks and drops repeated points itself)."""
        at = self._gather(arcs)
        return None if at is None else np.take(self.xy, at, axis=0)

    def steps(self, arcs: np.ndarray) -> np.ndarray:
        """The geodesic length of each step of :meth:`points` ``(arcs)`` to its point, nm
        (0 at the first; the arcs meet seamlessly): each arc's steps are measured the
        first time a route asks for them, then gathered."""
        at = self._gather(arcs)
        assert at is not None
        steps = self.step_nm
        new = np.unique(arcs[np.isnan(steps[self.off[arcs]])])
        if new.size:
            lo = self.off[new]
            size = self.off[new + 1] - lo
            idx = _ranges(lo, size)
            d = np.zeros(idx.size)
            d[1:] = line_nm(self.xy[idx])
            inner = np.ones(idx.size, dtype=bool)
            inner[np.cumsum(size) - size] = False  # each arc's first point: no step to it
            steps[idx[inner]] = d[inner]
            steps[lo] = 0.0  # "measured", written last: another thread may read it
        out = np.take(steps, at)
        out.setflags(write=False)
        return out


@dataclass
class SeaGraph:
    """The contracted routing graph as plain arrays (read-only after load).

    Node ids: ``0..n_core-1`` are backbone nodes; port ``i`` has an out-node
    ``n_core + 2 i`` (routes start there) and an in-node ``n_core + 2 i + 1``
    (routes end there), so no route passes through a port.

    Each edge ``e`` has a geometry ``coords[goff[e]:goff[e+1]]`` (lon unwrapped,
    from ``a_from[e]`` to ``a_to[e]``) and two arcs: forward ``a_from -> a_to`` and
    backward ``b_from -> b_to`` along the reversed geometry (``b_from = -1`` if the
    edge has a single arc). Passage events ``(ev_edge, ev_nm, ev_pid)`` give the
    passages met along an edge at a distance from its geometry start.
    """

    version: str
    node_xy: np.ndarray
    n_core: int
    port_ids: list[str]
    port_sea: np.ndarray  # (P, 2) sea point of each port (nan if unconnected)
    port_snap_km: np.ndarray
    port_notes: dict[str, str]
    a_from: np.ndarray
    a_to: np.ndarray
    b_from: np.ndarray
    b_to: np.ndarray
    length_nm: np.ndarray
    canal: np.ndarray
    goff: np.ndarray
    coords: np.ndarray
    ev_edge: np.ndarray
    ev_nm: np.ndarray
    ev_pid: np.ndarray
    stats: dict[str, float]
    waivers: list[dict[str, object]] = field(default_factory=list)
    passage_ids: tuple[str, ...] = ()
    """Passage ids; ``ev_pid`` indexes this tuple."""

    @property
    def n_nodes(self) -> int:
        """Number of nodes (backbone and port nodes)."""
        return int(self.n_core + 2 * len(self.port_ids))

    def geometry(self, e: int) -> np.ndarray:
        """Coordinates of edge ``e`` (view)."""
        return self.coords[self.goff[e] : self.goff[e + 1]]

    @property
    def connected(self) -> np.ndarray:
        """Whether each port (``port_ids`` order) is joined to the sea graph."""
        return np.array(
            [not self.port_notes.get(p, "").startswith("not connected") for p in self.port_ids],
            dtype=bool,
        )

    def arcs(self) -> Arcs:
        """Every arc (see :class:`Arcs`)."""
        ne = len(self.a_from)
        back = self.b_from >= 0
        frm = np.concatenate([self.a_from, self.b_from[back]])
        to = np.concatenate([self.a_to, self.b_to[back]])
        edge = np.concatenate([np.arange(ne), np.nonzero(back)[0]])
        rev = np.concatenate([np.zeros(ne, bool), np.ones(int(back.sum()), bool)])
        return Arcs(frm, to, edge, rev, np.lexsort((to, frm)))

    def arc_tracks(self, arcs: Arcs) -> ArcTracks:
        """The tracks of ``arcs`` (see :class:`ArcTracks`)."""
        starts = self.goff[arcs.edge]
        size = self.goff[arcs.edge + 1] - starts
        off = np.zeros(len(size) + 1, dtype=np.int64)
        np.cumsum(size, out=off[1:])
        which = np.repeat(np.arange(len(size)), size)
        local = np.arange(int(off[-1])) - off[which]
        first = starts[which]
        pts = np.where(arcs.rev[which], first + size[which] - 1 - local, first + local)
        xy = np.column_stack([wrap(self.coords[:, 0]), self.coords[:, 1]])
        # leave out the points that repeat the one before them along their arc
        p = xy[pts]
        d = p[1:] - p[:-1]
        near = np.nonzero(np.abs(d[:, 1]) <= 1e-9)[0]  # only these can repeat
        keep = np.ones(len(pts), dtype=bool)
        keep[near + 1] = ~_repeats(d[near, 0], d[near, 1])
        keep[off[:-1]] = True
        kept_off = np.concatenate([[0], np.cumsum(keep)])[off]
        # nodes where the last point of every arc in is repeated by the first of every
        # arc out: where all are the same point, else pair by pair
        head, tail = p[off[:-1]], p[off[1:] - 1]
        ref = np.zeros((self.n_nodes, 2))
        ref[arcs.to] = tail
        ref[arcs.frm] = head
        odd = np.zeros(self.n_nodes, dtype=bool)
        odd[arcs.frm[(head != ref[arcs.frm]).any(axis=1)]] = True
        odd[arcs.to[(tail != ref[arcs.to]).any(axis=1)]] = True
        smooth = ~odd
        ins: dict[int, list[int]] = {}
        outs: dict[int, list[int]] = {}
        for a in np.nonzero(odd[arcs.to])[0].tolist():
            ins.setdefault(int(arcs.to[a]), []).append(a)
        for a in np.nonzero(odd[arcs.frm])[0].tolist():
            outs.setdefault(int(arcs.frm[a]), []).append(a)
        for v in np.nonzero(odd)[0].tolist():
            d = head[outs.get(v, [])][:, None, :] - tail[ins.get(v, [])][None, :, :]
            smooth[v] = bool(_repeats(d[..., 0], d[..., 1]).all())
        seam = smooth[arcs.to]
        xy_kept = p[keep]
        return ArcTracks(xy_kept, kept_off, seam, bool(seam.all()), np.full(len(xy_kept), np.nan))

    def closed_edges(self, passages: Iterable[int]) -> np.ndarray:
        """Edges that meet any of the passages (indices into ``passage_ids``)."""
        out = np.zeros(len(self.a_from), dtype=bool)
        out[self.ev_edge[np.isin(self.ev_pid, list(passages))]] = True
        return out

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Flatten to arrays for ``np.savez``."""
        meta = {
            "version": self.version,
            "n_core": self.n_core,
            "port_ids": self.port_ids,
            "port_notes": self.port_notes,
            "stats": self.stats,
            "passages": list(self.passage_ids),
            "waivers": self.waivers,
        }
        return {
            "meta": np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
            "node_xy": self.node_xy,
            "port_sea": self.port_sea,
            "port_snap_km": self.port_snap_km,
            "a_from": self.a_from,
            "a_to": self.a_to,
            "b_from": self.b_from,
            "b_to": self.b_to,
            "length_nm": self.length_nm,
            "canal": self.canal,
            "goff": self.goff,
            "coords": self.coords,
            "ev_edge": self.ev_edge,
            "ev_nm": self.ev_nm,
            "ev_pid": self.ev_pid,
        }

    @classmethod
    def from_arrays(cls, f: dict[str, np.ndarray], *, passage_ids: Sequence[str]) -> SeaGraph:
        """Inverse of :meth:`to_arrays`; ``ValueError`` if its passages are not ``passage_ids``."""
        meta = json.loads(bytes(f["meta"]).decode())
        if meta["passages"] != list(passage_ids):
            raise ValueError("passage list changed")
        return cls(
            version=meta["version"],
            node_xy=f["node_xy"],
            n_core=int(meta["n_core"]),
            port_ids=list(meta["port_ids"]),
            port_sea=f["port_sea"],
            port_snap_km=f["port_snap_km"],
            port_notes=dict(meta["port_notes"]),
            a_from=f["a_from"],
            a_to=f["a_to"],
            b_from=f["b_from"],
            b_to=f["b_to"],
            length_nm=f["length_nm"],
            canal=f["canal"],
            goff=f["goff"],
            coords=f["coords"],
            ev_edge=f["ev_edge"],
            ev_nm=f["ev_nm"],
            ev_pid=f["ev_pid"],
            stats=dict(meta["stats"]),
            waivers=list(meta["waivers"]),
            passage_ids=tuple(meta["passages"]),
        )
