"""The database of saved scenarios and plans: URL, engine, tables and migrations.

SQLite in a file by default (``relos.sqlite`` in the user data directory),
PostgreSQL or any SQLAlchemy URL when ``RELOS_DATABASE_URL`` / ``DATABASE_URL``
says so. The schema belongs to the Alembic scripts in ``app/migrations``;
:func:`upgrade_to_head` brings a fresh or an old database up to date and runs at
start-up (``.venv/bin/alembic upgrade head`` does the same from a shell).

SQLite is opened for durability: write-ahead log, ``synchronous=FULL`` (a
commit is on disk before it returns), foreign keys on, and a busy timeout so
concurrent writers queue instead of failing. Transactions are begun by us, not
by the driver, so a write transaction can take the write lock up front
(``BEGIN IMMEDIATE``) and DDL is transactional.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Connection,
    DateTime,
    Engine,
    ForeignKey,
    MetaData,
    String,
    Text,
    create_engine,
    event,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import StaticPool

from routing.paths import default_user_data_dir

#: Folder of the Alembic environment and its ``versions/`` scripts.
MIGRATIONS_DIR = Path(__file__).resolve().with_name("migrations")
#: Name of the default SQLite file in the user data directory.
DEFAULT_DB_NAME = "relos.sqlite"
#: How long a SQLite writer waits for the lock before giving up, in milliseconds.
SQLITE_BUSY_TIMEOUT_MS = 30_000
#: Key of the PostgreSQL advisory lock that serialises concurrent migrations.
MIGRATION_LOCK_KEY = 0x5E105


def user_data_dir() -> Path:
    """The platform's user data directory (``~/.local/share/relos-planner`` on Linux)."""
    return default_user_data_dir()


def resolve_url(url: str | URL | None = None) -> URL:
    """The URL to open: ``url``, or the default SQLite file when empty.

    ``postgresql://`` and ``postgres://`` mean psycopg 3. The folder of a SQLite
    file is created if missing.
    """
    if not url:
        folder = user_data_dir()
        folder.mkdir(parents=True, exist_ok=True)
        return make_url(f"sqlite:///{folder / DEFAULT_DB_NAME}")
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite" and not _sqlite_in_memory(parsed):
        assert parsed.database is not None
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    return parsed


def _sqlite_in_memory(url: URL) -> bool:
    return url.database in {None, "", ":memory:"} or "mode=memory" in str(url.query)


def make_engine(url: str | URL | None = None) -> Engine:
    """An engine for ``url`` (see :func:`resolve_url`), set up for durable writes."""
    parsed = resolve_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True)
    kwargs: dict[str, Any] = {
        "connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
    }
    if _sqlite_in_memory(parsed):
        kwargs["poolclass"] = StaticPool  # one connection, or every one sees its own database
    engine = create_engine(parsed, **kwargs)
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling starts transactions lazily, not before DDL,
    # and never as IMMEDIATE: switch it off and emit BEGIN in _sqlite_on_begin.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def _sqlite_on_begin(connection: Connection) -> None:
    mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
    if mode not in {"DEFERRED", "IMMEDIATE", "EXCLUSIVE"}:
        raise ValueError(f"sqlite_begin must be DEFERRED, IMMEDIATE or EXCLUSIVE, not {mode!r}")
    connection.exec_driver_sql(f"BEGIN {mode}")


def writer(engine: Engine) -> Engine:
    """``engine`` for write transactions: on SQLite they take the write lock at BEGIN.

    A deferred transaction that reads and then writes may fail when another
    writer got in between; an immediate one waits its turn (up to the busy
    timeout) instead. Other databases are returned unchanged.
    """
    if engine.dialect.name != "sqlite":
        return engine
    return engine.execution_options(sqlite_begin="IMMEDIATE")


@contextmanager
def migration_transaction(connection: Connection) -> Iterator[Connection]:
    """One transaction around a migration run, exclusive among concurrent starters.

    Two processes starting on the same fresh database would both try to
    create the tables; this makes the second wait and then find them made.
    """
    if connection.dialect.name == "sqlite":
        connection.execution_options(sqlite_begin="IMMEDIATE")
    with connection.begin():
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
        yield connection


def alembic_config(engine: Engine | None = None, *, url: str | URL | None = None) -> Any:
    """An Alembic ``Config`` for the scripts in ``app/migrations``, no ini file needed.

    ``engine`` (or else ``url``) is the database it acts on.
    """
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("path_separator", "os")
    if engine is not None:
        cfg.attributes["engine"] = engine
    elif url is not None:
        rendered = resolve_url(url).render_as_string(hide_password=False)
        cfg.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))
    return cfg


HEAD_REVISION = "0003"
"""The newest migration's revision id (``tests/app/test_persistence.py`` checks it is
Alembic's head): a database already there is not handed to Alembic, whose import and
run took a third of a server's start."""


def at_head(engine: Engine) -> bool:
    """Whether ``engine``'s database is at :data:`HEAD_REVISION` (read with one query)."""
    try:
        with engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    except SQLAlchemyError:  # no table yet: a new database
        return False
    return [r[0] for r in rows] == [HEAD_REVISION]


def upgrade_to_head(target: str | URL | Engine | None = None) -> None:
    """Run every migration the database ``target`` (URL or engine) lacks."""
    if isinstance(target, Engine) and at_head(target):
        return
    from alembic import command

    if isinstance(target, Engine):
        command.upgrade(alembic_config(target), "head")
        return
    engine = make_engine(target)
    try:
        command.upgrade(alembic_config(engine), "head")
    finally:
        engine.dispose()


def head_revision() -> str:
    """The newest migration's revision id."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision ``engine``'s database is at; None before the first migration."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def utcnow() -> dt.datetime:
    """Now, in UTC (timestamps are stored in UTC)."""
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base of the store's tables; constraint names are stable."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy's documented class attribute
        dict[str, Any]: JSON(),
        dt.datetime: DateTime(timezone=True),
    }


class ScenarioRow(Base):
    """A saved scenario: a unique name and the rest of its ``ScenarioBody`` as JSON."""

    __tablename__ = "scenarios"
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012 - ids are never reused

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    owner: Mapped[str] = mapped_column(String(200), index=True)
    version: Mapped[int] = mapped_column(default=1)
    body: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]


class PlanRow(Base):
    """A saved plan: the request, the answer, and the data versions it was computed on."""

    __tablename__ = "plans"
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012 - ids are never reused

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(index=True)
    owner: Mapped[str] = mapped_column(String(200), index=True)
    scenario_id: Mapped[int | None] = mapped_column(
        ForeignKey("scenarios.id", ondelete="SET NULL"), index=True
    )
    catalogue_version: Mapped[str] = mapped_column(String(64))
    graph_version: Mapped[str | None] = mapped_column(String(64))
    nation: Mapped[str | None] = mapped_column(String(16))
    origin: Mapped[str | None] = mapped_column(Text)
    destination: Mapped[str | None] = mapped_column(Text)
    feasible: Mapped[bool | None]
    totals: Mapped[dict[str, Any] | None]
    request: Mapped[dict[str, Any]]
    result: Mapped[dict[str, Any]]


class ApiKeyRow(Base):
    """An API key: its holder's name, role, and the SHA-256 of the secret (never the
    secret itself); revoked keys are kept, with the time, for the record."""

    __tablename__ = "api_keys"
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012 - ids are never reused

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    role: Mapped[str] = mapped_column(String(16))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime]
    created_by: Mapped[str] = mapped_column(String(200))
    revoked_at: Mapped[dt.datetime | None]


class SweepRow(Base):
    """A sweep run over HTTP: its spec, who started it, where it stands."""

    __tablename__ = "sweeps"
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012 - ids are never reused

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    owner: Mapped[str] = mapped_column(String(200), index=True)
    status: Mapped[str] = mapped_column(String(16))
    total: Mapped[int]
    done: Mapped[int]
    spec: Mapped[dict[str, Any]]
    error: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[dict[str, Any] | None]
    catalogue_version: Mapped[str] = mapped_column(String(64))
    graph_version: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]
    started_at: Mapped[dt.datetime | None]
    heartbeat_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
