"""The store of saved scenarios and plans: a repository over :mod:`app.db`.

No web framework here: the HTTP layer (``app/routers/scenarios.py``), the CLI
and tests use the same :class:`Store`. Every method is one transaction,
committed before it returns, so whatever a caller acknowledges is on disk.
Records come back as JSON-ready dicts; timestamps are UTC ISO 8601 strings.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer, sessionmaker

from app.db import (
    ApiKeyRow,
    Base,
    PlanRow,
    ScenarioRow,
    SweepRow,
    make_engine,
    upgrade_to_head,
    utcnow,
    writer,
)
from routing.errors import (
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    StaleVersionError,
    UnknownRecordError,
)
from routing.plan.scenario import ScenarioSpec

#: Most saved plans one ``list_plans`` call returns.
MAX_PAGE = 1000
#: Roles a key may have, least to most.
ROLES = ("viewer", "planner", "admin")
#: What every API key starts with (so a leaked one is recognisable to secret scanners).
KEY_PREFIX = "relos_"
#: Owner names a key may not take: they belong to other kinds of caller.
RESERVED_PREFIXES = ("oidc:", "anonymous@", "refused@")


@dataclass(frozen=True, slots=True)
class Actor:
    """Who asks for a write: the owner name their records get, and whether they may
    change anyone's records (admin) or only their own."""

    name: str
    admin: bool = False


#: The single user of a laptop (the CLI, a server bound to loopback): owns what it
#: saves and may change everything.
LOCAL = Actor("local", admin=True)


class Store:
    """Saved scenarios and plans in a SQL database (SQLite file or PostgreSQL).

    Parameters
    ----------
    engine
        An engine from :func:`app.db.make_engine` on a migrated database;
        :meth:`open` makes one and migrates it.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._read = sessionmaker(engine, expire_on_commit=False)
        self._write = sessionmaker(writer(engine), expire_on_commit=False)

    @classmethod
    def open(cls, url: str | None = None) -> Store:
        """The store at ``url`` (empty: the default SQLite file), migrated to the newest schema."""
        engine = make_engine(url)
        try:
            upgrade_to_head(engine)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine)

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _count(self, table: type[Base]) -> int:
        with self._read() as session:
            return int(session.scalar(select(func.count()).select_from(table)) or 0)

    # -- scenarios -------------------------------------------------------------------------

    def create_scenario(self, body: Mapping[str, Any], actor: Actor = LOCAL) -> dict[str, Any]:
        """Save a new scenario (``ScenarioSpec`` fields) owned by ``actor``;
        ``ConflictError`` if the name is taken."""
        name, rest = _scenario_fields(body)
        now = utcnow()
        row = ScenarioRow(
            name=name, owner=actor.name, version=1, body=rest, created_at=now, updated_at=now
        )
        try:
            with self._write.begin() as session:
                session.add(row)
                session.flush()
        except IntegrityError:
            raise _name_taken(name) from None
        return _scenario_dict(row)

    def list_scenarios(self, limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
        """Saved scenarios, oldest first: every one, or a page of ``limit``."""
        query = select(ScenarioRow).order_by(ScenarioRow.id).offset(offset)
        if limit is not None:
            query = query.limit(limit)
        with self._read() as session:
            return [_scenario_dict(row) for row in session.scalars(query)]

    def count_scenarios(self) -> int:
        """How many scenarios are saved."""
        return self._count(ScenarioRow)

    def get_scenario(self, id: int) -> dict[str, Any]:
        """The saved scenario ``id``; ``UnknownRecordError`` if there is none."""
        with self._read() as session:
            row = session.get(ScenarioRow, id)
            if row is None:
                raise _no_scenario(id)
            return _scenario_dict(row)

    def update_scenario(
        self,
        id: int,
        body: Mapping[str, Any],
        *,
        expected: int | None = None,
        actor: Actor = LOCAL,
    ) -> dict[str, Any]:
        """Replace scenario ``id`` with ``body`` and bump its ``version``; with
        ``expected``, only if that is its version now (``StaleVersionError`` if not);
        only its owner or an admin may (``ForbiddenError``)."""
        name, rest = _scenario_fields(body)
        try:
            with self._write.begin() as session:
                row = session.get(ScenarioRow, id, with_for_update=True)
                if row is None:
                    raise _no_scenario(id)
                _check_owner(row.owner, actor, f"scenario {id}")
                _check_version(row, expected)
                row.name = name
                row.body = rest
                row.version += 1
                row.updated_at = utcnow()
                session.flush()
        except IntegrityError:
            raise _name_taken(name) from None
        return _scenario_dict(row)

    def delete_scenario(
        self, id: int, *, expected: int | None = None, actor: Actor = LOCAL
    ) -> None:
        """Delete scenario ``id`` (with ``expected``, only at that version; only its owner
        or an admin); plans saved under it keep their request and result."""
        with self._write.begin() as session:
            row = session.get(ScenarioRow, id, with_for_update=True)
            if row is None:
                raise _no_scenario(id)
            _check_owner(row.owner, actor, f"scenario {id}")
            _check_version(row, expected)
            session.delete(row)

    # -- saved plans -----------------------------------------------------------------------

    def save_plan(
        self,
        *,
        request: Mapping[str, Any],
        result: Mapping[str, Any],
        scenario_id: int | None = None,
        catalogue_version: str,
        graph_version: str | None,
        actor: Actor = LOCAL,
    ) -> dict[str, Any]:
        """Save a computed plan, owned by ``actor``, with the data versions it was
        computed on; its summary."""
        if not catalogue_version:
            raise InvalidInputError("a saved plan needs its catalogue version", field="versions")
        origin, destination = request.get("origin"), request.get("destination")
        totals = result.get("totals")
        row = PlanRow(
            created_at=utcnow(),
            owner=actor.name,
            scenario_id=scenario_id,
            catalogue_version=catalogue_version,
            graph_version=graph_version,
            nation=_str_or_none(result.get("nation", request.get("nation"))),
            origin=_str_or_none(origin),
            destination=_str_or_none(destination),
            feasible=bool(result["feasible"]) if "feasible" in result else None,
            totals=dict(totals) if isinstance(totals, Mapping) else None,
            request=dict(request),
            result=dict(result),
        )
        with self._write.begin() as session:
            if scenario_id is not None and session.get(ScenarioRow, scenario_id) is None:
                raise UnknownRecordError(
                    f"no saved scenario with id {scenario_id}", field="scenario_id"
                )
            session.add(row)
            session.flush()
        return _plan_summary(row)

    def get_plan(self, id: int) -> dict[str, Any]:
        """Saved plan ``id``: its summary, ``request`` and ``result``."""
        with self._read() as session:
            row = session.get(PlanRow, id)
            if row is None:
                raise _no_plan(id)
            return {**_plan_summary(row), "request": row.request, "result": row.result}

    def list_plans(self, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        """Summaries of saved plans, newest first (without request and result)."""
        if not 1 <= limit <= MAX_PAGE:
            raise InvalidInputError(f"limit must be 1..{MAX_PAGE}", field="limit")
        if offset < 0:
            raise InvalidInputError("offset must be 0 or more", field="offset")
        query = (
            select(PlanRow)
            .options(defer(PlanRow.request), defer(PlanRow.result))
            .order_by(PlanRow.id.desc())
            .limit(limit)
            .offset(offset)
        )
        with self._read() as session:
            return [_plan_summary(row) for row in session.scalars(query)]

    def count_plans(self) -> int:
        """How many plans are saved."""
        return self._count(PlanRow)

    def delete_plan(self, id: int, *, actor: Actor = LOCAL) -> None:
        """Delete saved plan ``id`` (only its owner or an admin)."""
        with self._write.begin() as session:
            row = session.get(PlanRow, id, with_for_update=True)
            if row is None:
                raise _no_plan(id)
            _check_owner(row.owner, actor, f"saved plan {id}")
            session.delete(row)

    # -- sweeps ------------------------------------------------------------------------------

    def create_sweep(
        self,
        *,
        name: str,
        spec: Mapping[str, Any],
        total: int,
        versions: Mapping[str, str | None],
        actor: Actor = LOCAL,
    ) -> dict[str, Any]:
        """Record a new sweep job, ``queued``."""
        row = SweepRow(
            name=name[:200],
            owner=actor.name,
            status="queued",
            total=total,
            done=0,
            spec=dict(spec),
            error=None,
            summary=None,
            catalogue_version=str(versions.get("catalogue") or ""),
            graph_version=versions.get("graph"),
            created_at=utcnow(),
            started_at=None,
            heartbeat_at=None,
            finished_at=None,
        )
        with self._write.begin() as session:
            session.add(row)
            session.flush()
        return _sweep_dict(row)

    def get_sweep(self, id: int) -> dict[str, Any]:
        """Sweep job ``id``; ``UnknownRecordError`` if there is none."""
        with self._read() as session:
            row = session.get(SweepRow, id)
            if row is None:
                raise _no_sweep(id)
            return _sweep_dict(row)

    def list_sweeps(self, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        """Sweep jobs, newest first, without their specs."""
        with self._read() as session:
            rows = session.scalars(
                select(SweepRow)
                .options(defer(SweepRow.spec), defer(SweepRow.summary))
                .order_by(SweepRow.id.desc())
                .limit(min(limit, MAX_PAGE))
                .offset(offset)
            )
            return [_sweep_dict(r, full=False) for r in rows]

    def count_sweeps(self) -> int:
        """How many sweep jobs are recorded."""
        return self._count(SweepRow)

    def update_sweep(self, id: int, **fields: Any) -> None:
        """Set fields of sweep ``id`` (status, done, error, summary, times); the job's
        heartbeat is set with them."""
        allowed = {"status", "done", "error", "summary", "started_at", "finished_at"}
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"not a sweep field: {sorted(unknown)}")
        with self._write.begin() as session:
            row = session.get(SweepRow, id, with_for_update=True)
            if row is None:
                raise _no_sweep(id)
            for key, value in fields.items():
                setattr(row, key, value)
            row.heartbeat_at = utcnow()

    def claim_sweep(self, id: int, *, actor: Actor, stale_s: float) -> dict[str, Any]:
        """Mark sweep ``id`` ``running`` for a (re)start, if it is not running now (its
        heartbeat fresher than ``stale_s``) or done; only its owner or an admin."""
        with self._write.begin() as session:
            row = session.get(SweepRow, id, with_for_update=True)
            if row is None:
                raise _no_sweep(id)
            _check_owner(row.owner, actor, f"sweep {id}")
            status = _sweep_status(row, stale_s)
            if status in ("running", "queued", "done"):
                raise ConflictError(
                    f"sweep {id} is {status}; only a failed or interrupted sweep is resumed",
                    field="sweep_id",
                )
            row.status = "running"
            row.error = None
            row.heartbeat_at = utcnow()
            session.flush()
            return _sweep_dict(row)

    # -- API keys ----------------------------------------------------------------------------

    def create_key(self, name: str, role: str, *, created_by: str = LOCAL.name) -> dict[str, Any]:
        """A new API key for ``name`` with ``role``: its record, with the secret under
        ``key``. The secret is returned here once and stored only as its SHA-256."""
        name = name.strip()
        if not 1 <= len(name) <= 100 or not name.isprintable():
            raise InvalidInputError("a key's name is 1 to 100 printable characters", field="name")
        if name == LOCAL.name or name.startswith(RESERVED_PREFIXES):
            raise InvalidInputError(
                f"{name!r} is reserved: 'local' is the laptop's user, 'oidc:' names come from "
                "the identity provider, 'anonymous@' and 'refused@' are callers without a key",
                field="name",
            )
        if role not in ROLES:
            raise InvalidInputError(f"role must be one of {', '.join(ROLES)}", field="role")
        secret = KEY_PREFIX + secrets.token_urlsafe(32)
        row = ApiKeyRow(
            name=name,
            role=role,
            prefix=secret[: len(KEY_PREFIX) + 6],
            key_hash=key_hash(secret),
            created_at=utcnow(),
            created_by=created_by,
            revoked_at=None,
        )
        with self._write.begin() as session:
            session.add(row)
            session.flush()
        return {**_key_dict(row), "key": secret}

    def find_key(self, secret: str) -> dict[str, Any] | None:
        """The live (unrevoked) key whose secret this is, or None."""
        with self._read() as session:
            row = session.scalar(select(ApiKeyRow).where(ApiKeyRow.key_hash == key_hash(secret)))
            if row is None or row.revoked_at is not None:
                return None
            return _key_dict(row)

    def list_keys(self, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        """API keys, oldest first, revoked ones included (never their secrets)."""
        query = select(ApiKeyRow).order_by(ApiKeyRow.id).limit(limit).offset(offset)
        with self._read() as session:
            return [_key_dict(row) for row in session.scalars(query)]

    def count_keys(self) -> int:
        """How many API keys were ever made (revoked ones included)."""
        return self._count(ApiKeyRow)

    def revoke_key(self, id: int) -> dict[str, Any]:
        """Revoke key ``id`` from now on (again: no change); its record."""
        with self._write.begin() as session:
            row = session.get(ApiKeyRow, id, with_for_update=True)
            if row is None:
                raise UnknownRecordError(f"no API key with id {id}", field="key_id")
            if row.revoked_at is None:
                row.revoked_at = utcnow()
            session.flush()
            return _key_dict(row)


def key_hash(secret: str) -> str:
    """The stored form of an API key: SHA-256, hex. A key is 256 random bits, so a fast
    hash is as safe as a slow one and lets a lookup be one indexed query."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def _key_dict(row: ApiKeyRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "role": row.role,
        "prefix": row.prefix,
        "created_at": _iso(row.created_at),
        "created_by": row.created_by,
        "revoked_at": _iso(row.revoked_at) if row.revoked_at else None,
    }


def _scenario_fields(body: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The name and the other fields of a scenario body, checked and with defaults."""
    try:
        data = ScenarioSpec.model_validate(dict(body)).model_dump(mode="json")
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(part) for part in err["loc"]) or None
        raise InvalidInputError(err["msg"], field=field) from None
    name = data.pop("name")
    return name, data


def _scenario_dict(row: ScenarioRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "owner": row.owner,
        "version": row.version,
        "created_at": _iso(row.created_at),
        "updated_at": _iso(row.updated_at),
        **row.body,
    }


def _plan_summary(row: PlanRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "created_at": _iso(row.created_at),
        "owner": row.owner,
        "scenario_id": row.scenario_id,
        "catalogue_version": row.catalogue_version,
        "graph_version": row.graph_version,
        "nation": row.nation,
        "origin": row.origin,
        "destination": row.destination,
        "feasible": row.feasible,
        "totals": row.totals,
    }


def _iso(t: dt.datetime) -> str:
    """UTC ISO 8601 with a ``Z`` (SQLite hands back naive UTC, PostgreSQL aware times)."""
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    return t.astimezone(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _name_taken(name: str) -> ConflictError:
    return ConflictError(f"a scenario named {name!r} already exists", field="name")


def _no_scenario(id: int) -> UnknownRecordError:
    return UnknownRecordError(f"no saved scenario with id {id}", field="scenario_id")


def _no_plan(id: int) -> UnknownRecordError:
    return UnknownRecordError(f"no saved plan with id {id}", field="plan_id")


def _check_version(row: ScenarioRow, expected: int | None) -> None:
    if expected is not None and row.version != expected:
        raise StaleVersionError(
            f"scenario {row.id} is at version {row.version}, not {expected}: another client "
            "changed it; read it again (GET) and resend with If-Match: "
            f'"{row.version}"',
            field="If-Match",
        )


def _check_owner(owner: str, actor: Actor, what: str) -> None:
    if not actor.admin and owner != actor.name:
        raise ForbiddenError(
            f"{what} belongs to {owner!r}: only its owner or an admin may change it",
            field="Authorization",
        )


#: A running sweep whose job has not reported for this long is taken as interrupted
#: (its server process stopped); it may then be resumed.
SWEEP_STALE_S = 120.0


def _sweep_status(row: SweepRow, stale_s: float = SWEEP_STALE_S) -> str:
    if row.status in ("running", "queued"):
        beat = row.heartbeat_at or row.created_at
        if beat.tzinfo is None:
            beat = beat.replace(tzinfo=dt.UTC)
        if (utcnow() - beat).total_seconds() > stale_s:
            return "interrupted"
    return row.status


def _sweep_dict(row: SweepRow, *, full: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": row.id,
        "name": row.name,
        "owner": row.owner,
        "status": _sweep_status(row),
        "total": row.total,
        "done": row.done,
        "progress": round(row.done / row.total, 4) if row.total else 1.0,
        "error": row.error,
        "versions": {"catalogue": row.catalogue_version, "graph": row.graph_version},
        "created_at": _iso(row.created_at),
        "started_at": _iso(row.started_at) if row.started_at else None,
        "finished_at": _iso(row.finished_at) if row.finished_at else None,
        "href": f"/sweeps/{row.id}",
    }
    if full:
        out["spec"] = row.spec
        out["summary"] = row.summary
    return out


def _no_sweep(id: int) -> UnknownRecordError:
    return UnknownRecordError(f"no sweep with id {id}", field="sweep_id")
