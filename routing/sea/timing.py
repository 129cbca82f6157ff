"""When a voyage is in each passage, and whether the season allows it then.

A track (an (n, 2) lon/lat array, longitudes unwrapped) meets a passage either
by crossing one of its gates (entry and exit at the same point) or by running
through its region (the Northern Sea Route, an ice region), entered and left at
measured distances along the track. With a departure time and a speed, those
distances become times; a seasonal passage or an ice region is then judged on
every day the ship is inside it, not on the departure date.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import shapely

from routing.geo import line_nm
from routing.sea.passages import LEAP_START, Passage, SeaData, SeasonRule
from routing.vocab import normalise_ice_class

MERGE_NM = 1.0
"""Pieces of one region closer than this along the track are one transit."""


@dataclass(frozen=True)
class Transit:
    """A passage met on a track, ``enter_nm`` to ``exit_nm`` along it."""

    passage: str
    name: str
    kind: str
    enter_nm: float
    exit_nm: float

    def times(self, start: dt.datetime, speed_kn: float) -> tuple[dt.datetime, dt.datetime]:
        """Entry and exit times when the track is begun at ``start`` at ``speed_kn``."""
        return (
            start + dt.timedelta(hours=self.enter_nm / speed_kn),
            start + dt.timedelta(hours=self.exit_nm / speed_kn),
        )


def transits(
    sea: SeaData,
    coords: np.ndarray,
    *,
    only: Iterable[str] | None = None,
    steps_nm: np.ndarray | None = None,
) -> list[Transit]:
    """The passages the track meets, in order along it (``only``: those ids).

    ``steps_nm``: the geodesic length of each step to a point of the track (0 at the
    first), where known (:attr:`routing.sea.router.Route.steps_nm`); else measured."""
    xy = np.asarray(coords, dtype=float)
    if len(xy) < 2:
        return []
    wanted = None if only is None else set(only)
    line = shapely.LineString(xy)
    shapely.prepare(line)
    x0, y0, x1, y1 = line.bounds
    planar = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(xy, axis=0).T))])
    nm = np.cumsum(steps_nm) if steps_nm is not None else np.r_[0.0, np.cumsum(line_nm(xy))]

    def along(pt: np.ndarray) -> float:
        return float(np.interp(line.project(shapely.Point(pt)), planar, nm))

    geoms, bounds, owner = sea.outlines
    near = (bounds[:, 0] <= x1) & (bounds[:, 2] >= x0) & (bounds[:, 1] <= y1) & (bounds[:, 3] >= y0)
    spans: dict[int, list[tuple[float, float]]] = {}
    for k in np.flatnonzero(near):
        p = sea.passages[int(owner[k])]
        if wanted is not None and p.id not in wanted:
            continue
        geom = geoms[k]
        if not line.intersects(geom):
            continue
        mine = spans.setdefault(int(owner[k]), [])
        if isinstance(geom, shapely.LineString):  # a gate: crossed at a point
            for pt in shapely.get_coordinates(line.intersection(geom)):
                d = along(pt)
                mine.append((d, d))
            continue
        for part in shapely.get_parts(line.intersection(geom)):
            ends = shapely.get_coordinates(part)
            if len(ends) < 2:
                continue
            a, b = along(ends[0]), along(ends[-1])
            mine.append((min(a, b), max(a, b)))
    out: list[Transit] = []
    for i, found in spans.items():
        p = sea.passages[i]
        out += [Transit(p.id, p.name, p.kind, a, b) for a, b in _merged(found, p)]
    out.sort(key=lambda t: (t.enter_nm, t.exit_nm))
    return out


def _merged(spans: list[tuple[float, float]], p: Passage) -> list[tuple[float, float]]:
    spans.sort()
    merged: list[tuple[float, float]] = []
    gap = MERGE_NM if p.region is not None else 0.0
    for a, b in spans:
        if merged and a <= merged[-1][1] + gap:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def open_days(rule: SeasonRule, first: dt.date, ndays: int, ice_class: str | None) -> np.ndarray:
    """Whether the passage is open on each of ``ndays`` days from ``first``."""
    start = int(np.datetime64(first, "D").astype(np.int64))
    table = _day_index()
    if start >= 0 and start + ndays <= table.size:
        index = table[start : start + ndays]
    else:  # pragma: no cover - beyond 2199
        days = np.datetime64(first, "D") + np.arange(ndays)
        months = days.astype("datetime64[M]")
        index = LEAP_START[months.astype(int) % 12] + (days - months).astype(int)
    return rule.year_mask(ice_class)[index]


@functools.cache
def _day_index() -> np.ndarray:
    """For each day from 1970-01-01 to 2199-12-31, its place in a leap year (the index
    of :meth:`SeasonRule.year_mask`): read-only, built once."""
    days = np.arange(np.datetime64("1970-01-01"), np.datetime64("2200-01-01"))
    months = days.astype("datetime64[M]")
    out = (LEAP_START[months.astype(int) % 12] + (days - months).astype(int)).astype(np.int16)
    out.setflags(write=False)
    return out


def next_open_days(
    rule: SeasonRule, first: dt.date, ndays: int, ice_class: str | None
) -> np.ndarray:
    """For each of ``ndays`` days from ``first``, how many days from it to the next day
    the passage is open (0 on an open day; past the last open day, the days to the end
    of the span, at least: the passage is shut on all of them)."""
    is_open = open_days(rule, first, ndays, ice_class)
    day = np.arange(ndays)
    nxt = np.where(is_open, day, ndays)
    nxt = np.minimum.accumulate(nxt[::-1])[::-1]
    return nxt - day


def closed_days(
    rule: SeasonRule, enter: dt.datetime, leave: dt.datetime, ice_class: str | None
) -> list[dt.date]:
    """The days between ``enter`` and ``leave`` (inclusive) the passage is shut to the ship."""
    first = enter.date()
    ndays = (leave.date() - first).days + 1
    shut = np.flatnonzero(~open_days(rule, first, max(ndays, 1), ice_class))
    return [first + dt.timedelta(days=int(k)) for k in shut]


def earliest_entry(
    rule: SeasonRule,
    enter: dt.datetime,
    inside: dt.timedelta,
    ice_class: str | None,
    *,
    max_wait: dt.timedelta,
) -> dt.datetime | None:
    """The earliest time at or after ``enter`` (at most ``max_wait`` later) from which a
    transit lasting ``inside`` falls wholly in season; ``None`` if there is none. Later
    entries are tried at midnight UTC of each following day."""
    if not closed_days(rule, enter, enter + inside, ice_class):
        return enter
    first = enter.date() + dt.timedelta(days=1)
    last = (enter + max_wait).date()
    if last < first:
        return None
    span = inside // dt.timedelta(days=1) + 1  # days touched by a transit begun at midnight
    starts = (last - first).days + 1
    shut = (~open_days(rule, first, starts + span, ice_class)).astype(np.int32)
    run = np.concatenate([[0], np.cumsum(shut)])
    clear = (run[span : span + starts] - run[:starts]) == 0
    hits = np.flatnonzero(clear)
    if hits.size == 0:
        return None
    day = first + dt.timedelta(days=int(hits[0]))
    return dt.datetime.combine(day, dt.time(), tzinfo=enter.tzinfo)


def shut_transits(
    found: Iterable[Transit],
    seasons: Mapping[str, SeasonRule],
    start: dt.datetime,
    speed_kn: float,
    ice_class: str | None,
) -> Iterator[tuple[Transit, SeasonRule, dt.datetime, dt.datetime]]:
    """The transits of a track begun at ``start`` that fall, on some day the ship is
    inside, in a season shut to it: (transit, its rule, entry time, exit time)."""
    for tr in found:
        rule = seasons.get(tr.passage)
        if rule is None:
            continue
        t_in, t_out = tr.times(start, speed_kn)
        if closed_days(rule, t_in, t_out, ice_class):
            yield tr, rule, t_in, t_out


def season_text(rule: SeasonRule, ice_class: str | None) -> str:
    """The open window(s) a ship of ``ice_class`` gets, e.g. ``open 1 Jul-15 Nov to ice
    class none``."""
    band_class = normalise_ice_class(ice_class)
    windows = rule.windows_for(ice_class)
    if not windows:
        return f"closed all year to ice class {band_class}"
    spans = ", ".join(f"{_md(a)}-{_md(b)}" for a, b in windows)
    return f"open {spans} to ice class {band_class}"


def _md(md: tuple[int, int]) -> str:
    return dt.date(2001, md[0], md[1]).strftime("%-d %b")
