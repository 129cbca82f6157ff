"""Routes between every pair of the catalogue's port facilities stay off land.

Each route's track is sampled every 250 m along its WGS84 geodesics (pyproj) and
looked up in ``global_land_mask.globe.is_land``; inside the router's declared land
waivers (canals, waterways the 1 km raster closes, and the harbour mouths it closes,
each listed by :attr:`~routing.router.SeaRouter.land_waivers`) land does not count.
No stretch longer than 1 km may lie on land. Shared track segments are sampled once
and runs are joined across vertices, so the check stays well under a minute.
"""

from __future__ import annotations

import itertools

import numpy as np

from routing.geo import LonLat
from routing.vocab import SEA_KINDS
from tests.routing.sea.support import (
    UNCONNECTED,
    catalogue,
    geodesic_samples,
    land_flags,
    sea_router,
    waiver_geometry,
)

SUMMER_ALL_OPEN = {"date": __import__("datetime").date(2025, 8, 10), "ice_class": "Arc7"}


def _segment_runs(
    a: tuple[float, float], b: tuple[float, float], waivers: object
) -> tuple[float, float, float, bool]:
    """Land run touching the start, touching the end, longest inside (km), all land."""
    s = geodesic_samples([LonLat(*a), LonLat(*b)], step_m=250.0)
    land = land_flags(s, waivers)  # type: ignore[arg-type]
    if not land.any():
        return 0.0, 0.0, 0.0, False
    step = float(np.diff(s[:, 2]).max(initial=0.25))
    f = np.concatenate([[False], land, [False]]).astype(np.int8)
    d = np.diff(f)
    starts, ends = np.nonzero(d == 1)[0], np.nonzero(d == -1)[0]
    lengths = s[ends - 1, 2] - s[starts, 2] + step
    head = float(lengths[0]) if starts[0] == 0 else 0.0
    tail = float(lengths[-1]) if ends[-1] == len(land) else 0.0
    return head, tail, float(lengths.max()), bool(land.all())


def test_all_port_pairs_stay_off_land() -> None:
    router = sea_router()
    waivers = waiver_geometry(router)
    ids = list(router.connected_ports)
    # every port and naval base of the catalogue but the one on the Caspian
    assert set(ids) == {f.id for f in catalogue() if f.kind in SEA_KINDS} - UNCONNECTED
    cache: dict[tuple[tuple[float, float], tuple[float, float]], tuple[float, float, float, bool]]
    cache = {}
    worst = (0.0, "", "")
    n_routes = 0
    for a, b in itertools.combinations(ids, 2):
        r = router.route(a, b, **SUMMER_ALL_OPEN)
        n_routes += 1
        coords = [(round(c.lon, 7), round(c.lat, 7)) for c in r.coordinates]
        run = 0.0
        for p, q in itertools.pairwise(coords):
            key = (p, q)
            if key not in cache:
                cache[key] = _segment_runs(p, q, waivers)
            head, tail, inner, full = cache[key]
            if full:
                run += inner
            else:
                worst = max(worst, (run + head, a, b), (inner, a, b))
                run = tail
        worst = max(worst, (run, a, b))
    assert n_routes == len(ids) * (len(ids) - 1) // 2
    assert worst[0] <= 1.0, f"{worst[1]} -> {worst[2]}: {worst[0]:.2f} km on land"
