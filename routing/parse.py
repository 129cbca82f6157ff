"""Parsers for compound parameters (bbox, points, comma lists) and the resolver of
names where ids are (:class:`NameIndex`), shared by every front end.

Each raises :class:`~routing.errors.InvalidInputError` naming the parameter,
which the error table turns into a 422.
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from routing.errors import AmbiguousNameError, InvalidInputError, RelosError
from routing.geo import BBox, LonLat


def _floats(text: str, n: int, *, field: str, shape: str) -> list[float]:
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != n:
        raise InvalidInputError(f"expected {shape}, got {text!r}", field=field)
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise InvalidInputError(f"expected {shape} as numbers, got {text!r}", field=field) from None
    if not all(math.isfinite(v) for v in values):
        raise InvalidInputError(f"expected finite numbers, got {text!r}", field=field)
    return values


def check_lonlat(lon: float, lat: float, *, field: str) -> LonLat:
    """A validated point: longitude in [-180, 180], latitude in [-90, 90]."""
    if not -90 <= lat <= 90:
        raise InvalidInputError(f"latitude {lat} is outside [-90, 90]", field=field)
    if not -180 <= lon <= 180:
        raise InvalidInputError(f"longitude {lon} is outside [-180, 180]", field=field)
    return LonLat(lon, lat)


def parse_lonlat(text: str, *, field: str) -> LonLat:
    """``"lon,lat"`` as a validated point."""
    lon, lat = _floats(text, 2, field=field, shape="'lon,lat'")
    return check_lonlat(lon, lat, field=field)


def looks_like_point(text: str) -> bool:
    """True when ``text`` has the form of ``lon,lat`` rather than a facility id."""
    parts = text.split(",")
    if len(parts) != 2:
        return False
    try:
        [float(p) for p in parts]
    except ValueError:
        return False
    return True


def parse_bbox(text: str, *, field: str = "bbox") -> BBox:
    """``"west,south,east,north"`` as a box; ``west > east`` crosses the antimeridian."""
    west, south, east, north = _floats(text, 4, field=field, shape="'west,south,east,north'")
    check_lonlat(west, south, field=field)
    check_lonlat(east, north, field=field)
    if south >= north:
        raise InvalidInputError(
            f"empty box: south ({south}) must be less than north ({north})", field=field
        )
    if west == east:
        raise InvalidInputError(f"empty box: west and east are both {west}", field=field)
    return BBox(west, south, east, north)


def split_list(text: str | None) -> list[str]:
    """A comma-separated list, blanks dropped; ``None`` is the empty list."""
    if not text:
        return []
    return [p.strip() for p in text.split(",") if p.strip()]


# -- names where ids are -------------------------------------------------------------------


def _norm(text: str) -> str:
    """``text`` case-folded, accents dropped, every run of other characters one space."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(re.findall(r"[a-z0-9]+", plain.casefold()))


def _likeness(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


@dataclass(frozen=True)
class Named:
    """A record as names find it: its id, name, other names and kind (for narrowing)."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    kind: str | None = None

    @property
    def labels(self) -> tuple[str, ...]:
        """Every way of writing it, normalised: id, name, aliases."""
        return tuple(dict.fromkeys(n for n in map(_norm, (self.id, self.name, *self.aliases)) if n))


class NameIndex:
    """The records of one sort (facilities, passages, platforms...), found by id, name or
    alias, case- and accent-insensitively; the one resolver every front end goes through.

    A text resolves to one record when it is an id, else when it is exactly one
    record's name or alias, else when it is part of exactly one record's name or
    alias (``"Port Blair"``), else when its words are all among exactly one record's
    words (``"Malacca Strait"``); among the records of the ``kinds`` asked for, when
    any of them match (ports and naval bases for a ship). Records of the ``secondary``
    kinds (the commercial-port layer) are found by name only when no other record
    matches. Matching several is an :class:`~routing.errors.AmbiguousNameError` listing
    them; matching none raises ``error`` with "did you mean" suggestions (:mod:`difflib`).
    """

    def __init__(
        self,
        records: Iterable[Named],
        *,
        what: str,
        error: type[RelosError],
        plural: str | None = None,
        advice: str = "",
        list_known: int = 0,
        secondary: Collection[str] = (),
    ) -> None:
        self.what = what
        self.secondary = frozenset(secondary)
        self.advice = advice
        self.plural = plural or f"{what}s"
        self.error = error
        self.list_known = list_known
        self.records = {r.id: r for r in records}
        self._ids = {_norm(i): i for i in self.records}
        self._labels: dict[str, set[str]] = {}
        self._words: dict[str, frozenset[str]] = {}
        for r in self.records.values():
            for label in r.labels:
                self._labels.setdefault(label, set()).add(r.id)
            self._words[r.id] = frozenset(w for label in r.labels for w in label.split())

    def __contains__(self, record_id: object) -> bool:
        return record_id in self.records

    def matches(self, text: str, *, kinds: Collection[str] | None = None) -> list[str]:
        """The ids ``text`` names (several when ambiguous, none when unknown), among the
        records of ``kinds`` when any of those match."""
        if text in self.records:
            return [text]
        key = _norm(text)
        if not key:
            return []
        if key in self._ids:
            return [self._ids[key]]
        if self.secondary:
            first = self._match_name(key, kinds, primary=True)
            return first or self._match_name(key, kinds, primary=False)
        return self._match_name(key, kinds, primary=False)

    def _match_name(self, key: str, kinds: Collection[str] | None, *, primary: bool) -> list[str]:
        """The ids ``key`` (normalised) names, by exact label, then part of a label, then
        words; with ``primary``, among the records not of the secondary kinds."""
        words = set(key.split())
        padded = f" {key} "
        for found in (
            self._labels.get(key, set()),
            {i for label, ids in self._labels.items() if padded in f" {label} " for i in ids},
            {i for i, have in self._words.items() if words <= have},
        ):
            if primary:
                found = {i for i in found if self.records[i].kind not in self.secondary}
            if kinds is not None:
                narrowed = {i for i in found if self.records[i].kind in kinds}
                found = narrowed or found
            if found:
                return sorted(found)
        return []

    def suggest(self, text: str, *, n: int = 4, kinds: Collection[str] | None = None) -> list[str]:
        """The ids of the records whose id, name, alias or one word is closest to ``text``
        (those of ``kinds`` first)."""
        key = _norm(text[:200])  # names are short; a long text is no name
        pool: dict[str, list[str]] = {}
        for label, ids in self._labels.items():
            pool.setdefault(label, []).extend(sorted(ids))
        for rid, have in self._words.items():
            for w in have:
                if len(w) >= 4:
                    pool.setdefault(w, []).append(rid)
        # records having every word of the text, or one close to it ("port blare")
        words = key.split()
        close = {w: {w, *difflib.get_close_matches(w, pool, n=8, cutoff=0.75)} for w in words}
        score = {
            i: sum(max(_likeness(w, t) for t in close[w] & have) for w in words)
            for i, have in self._words.items()
            if words and all(close[w] & have for w in words)
        }
        whole = {i: max(_likeness(key, label) for label in self.records[i].labels) for i in score}
        out = sorted(score, key=lambda i: (-score[i], -whole[i], i))
        for near in difflib.get_close_matches(key, pool, n=4 * n, cutoff=0.75):
            out.extend(i for i in pool[near] if i not in out)
        if not out:
            out = [i for i, have in self._words.items() if key and key in " ".join(have)]
        if kinds is not None:
            out.sort(key=lambda i: self.records[i].kind not in kinds)
        return out[:n]

    def describe(self, record_id: str) -> str:
        """``id (name)``, or the id alone when the name adds nothing."""
        r = self.records[record_id]
        return r.id if _norm(r.name) == _norm(r.id) else f"{r.id} ({r.name})"

    def canonical(self, text: str, *, field: str, kinds: Collection[str] | None = None) -> str:
        """The id ``text`` names; ``text`` itself when it names nothing here (a
        scenario's hypothetical record, or a typo the lookup that uses it reports), and
        :class:`~routing.errors.AmbiguousNameError` when it names several."""
        found = self.matches(text, kinds=kinds)
        if len(found) > 1:
            return self.resolve(text, field=field, kinds=kinds)
        return found[0] if found else text

    def resolve(self, text: str, *, field: str, kinds: Collection[str] | None = None) -> str:
        """The id ``text`` names, or an error naming ``field``: ambiguous (with the
        candidates) or unknown (with suggestions)."""
        found = self.matches(text, kinds=kinds)
        if len(found) == 1:
            return found[0]
        shown = repr(text[:60])
        if found:
            listed = "; ".join(self.describe(i) for i in found[:12])
            more = f" and {len(found) - 12} more" if len(found) > 12 else ""
            raise AmbiguousNameError(
                f"{shown} matches {len(found)} {self.plural}: {listed}{more}; "
                "give one of their ids",
                field=field,
                candidates=found,
            )
        raise self.unknown(text, field=field, kinds=kinds)

    def unknown(
        self,
        text: str,
        *,
        field: str,
        error: type[RelosError] | None = None,
        kinds: Collection[str] | None = None,
    ) -> RelosError:
        """The error for a ``text`` that names nothing here, with "did you mean"
        suggestions (``error``: another class than the index's)."""
        near = self.suggest(text, kinds=kinds)
        if near:
            hint = f"; did you mean {', '.join(self.describe(i) for i in near)}?"
        elif len(self.records) <= self.list_known:
            hint = f" (known: {', '.join(sorted(self.records))})"
        else:
            hint = ""
        return (error or self.error)(
            f"unknown {self.what} {text[:60]!r}{self.advice}{hint}", field=field, candidates=near
        )


def passage_or_facility(
    raw: str,
    passages: NameIndex,
    facilities: NameIndex,
    *,
    field: str,
    kinds: Collection[str] | None = None,
    also: Collection[str] = (),
) -> tuple[bool, str]:
    """An ``avoid`` entry: ``(True, passage or group id)`` or ``(False, facility id)``,
    from an id or a name of either (facilities among ``kinds``; ``also``: facility ids
    known elsewhere, a scenario's hypothetical ones).

    Raises
    ------
    AmbiguousNameError
        The name fits several passages and facilities, naming ``field`` and listing them.
    InvalidInputError
        It names nothing, naming ``field``, with did-you-mean suggestions.
    """
    pid, fid = raw.strip().lower(), raw.strip()
    if pid in passages:
        return True, pid
    if fid in facilities or fid in also:
        return False, fid
    found = [
        *((passages, m) for m in passages.matches(raw)),
        *((facilities, m) for m in facilities.matches(raw, kinds=kinds)),
    ]
    if len(found) == 1:
        index, rid = found[0]
        return index is passages, rid
    if found:
        listed = "; ".join(index.describe(m) for index, m in found[:12])
        raise AmbiguousNameError(
            f"{raw[:60]!r} matches {len(found)} passages and facilities: {listed}; "
            "give one of their ids",
            field=field,
            candidates=[m for _, m in found],
        )
    near = [*passages.suggest(raw, n=3), *facilities.suggest(raw, n=3, kinds=kinds)]
    hint = ""
    if near:
        described = [(passages if m in passages else facilities).describe(m) for m in near]
        hint = f"; did you mean {', '.join(described)}?"
    raise InvalidInputError(
        f"unknown passage or facility {raw[:60]!r}{hint}", field=field, candidates=near
    )
