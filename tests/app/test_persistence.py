"""Saved scenarios and plans survive restarts and crashes; the schema migrates itself.

Runs against a SQLite file, and against PostgreSQL when ``RELOS_TEST_POSTGRES_URL``
is set (``.ci/install-postgres`` makes one; CI must set it: there the PostgreSQL
variant fails rather than skips without it). The restart and crash tests run the
real service under uvicorn in a subprocess and kill it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import IO, Any

import httpx
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from app.db import (
    HEAD_REVISION,
    Base,
    at_head,
    current_revision,
    head_revision,
    make_engine,
    resolve_url,
    upgrade_to_head,
    user_data_dir,
)
from app.store import Actor, Store
from routing.errors import ForbiddenError
from tests.app.servers import free_port

REPO = Path(__file__).resolve().parents[2]
PG_ENV = "RELOS_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", "postgresql"]
START_TIMEOUT_S = 540.0  # a fresh machine builds the sea graph on first start (minutes)
MUMBAI = "in-mumbai-naval-dockyard"
VLADIVOSTOK = "ru-vladivostok-naval-base"


# -- databases -----------------------------------------------------------------------------


def _postgres_base_url() -> str | None:
    url = os.environ.get(PG_ENV)
    if not url and os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"CI is set but {PG_ENV} is not: run .ci/install-postgres and export it")
    return url or None


@contextmanager
def fresh_database(kind: str, folder: Path) -> Iterator[str]:
    """The URL of a new, empty database of ``kind`` (``sqlite`` or ``postgresql``).

    A PostgreSQL one is a schema of its own in the test database, dropped afterwards.
    """
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'relos.sqlite'}"
        return
    base = _postgres_base_url()
    if base is None:
        pytest.skip(f"set {PG_ENV} (see .ci/install-postgres) to test PostgreSQL")
    schema = f"relos_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    try:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        url = resolve_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database, on each backend."""
    with fresh_database(request.param, tmp_path) as url:
        yield url


# -- a real server ---------------------------------------------------------------------------


class Server:
    """``uvicorn app.main:app`` in a subprocess on a free localhost port."""

    def __init__(self, db_url: str, log: Path, *, sea_graph: bool = False) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "RELOS_DATABASE_URL": db_url}
        env["RELOS_LOAD_SEA_GRAPH"] = "true" if sea_graph else "false"
        target = ["app.main:app"]
        argv = [sys.executable, "-m", "uvicorn", *target, "--host", "127.0.0.1"]
        argv += ["--port", str(self.port), "--log-level", "warning"]
        self._log: IO[bytes] = log.open("ab")
        self.proc = subprocess.Popen(
            argv,
            cwd=REPO,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self.log = log
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self._log.close()
                pytest.fail(f"server exited ({self.proc.returncode}):\n{self.log.read_text()}")
            try:
                if httpx.get(f"{self.base}/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        self.kill()
        pytest.fail(f"server not up after {START_TIMEOUT_S:.0f} s:\n{self.log.read_text()}")

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=60)

    def stop(self) -> None:
        """A graceful stop (SIGTERM), as a service manager does it."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)
        self._log.close()

    def kill(self) -> None:
        """``kill -9``: no shutdown code runs."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)
        self._log.close()


@contextmanager
def running(db_url: str, log: Path, *, sea_graph: bool = False) -> Iterator[Server]:
    server = Server(db_url, log, sea_graph=sea_graph)
    try:
        yield server
    finally:
        server.stop()


# -- migrations and engine -------------------------------------------------------------------


def test_fresh_database_is_migrated_to_head_and_matches_the_models(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        assert current_revision(engine) is None and not at_head(engine)
        upgrade_to_head(engine)
        # the shortcut that skips Alembic at start knows the newest migration
        assert current_revision(engine) == head_revision() == HEAD_REVISION
        assert at_head(engine)
        upgrade_to_head(engine)  # again: a no-op, not an error
        assert current_revision(engine) == head_revision()
        assert {"scenarios", "plans"} <= set(inspect(engine).get_table_names())
        with engine.connect() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diffs == [], "the models changed without a migration: alembic revision --autogen"
    finally:
        engine.dispose()


def test_database_behind_head_is_upgraded_when_opened(db_url: str) -> None:
    """A database at an older revision (here: before the first) is migrated by ``Store.open``."""
    from alembic import command

    from app.db import alembic_config

    engine = make_engine(db_url)
    try:
        upgrade_to_head(engine)
        command.downgrade(alembic_config(engine), "base")
        assert current_revision(engine) is None
        assert "scenarios" not in inspect(engine).get_table_names()
        with Store.open(db_url) as store:
            assert current_revision(store.engine) == head_revision()
            saved = store.create_scenario({"name": "after the upgrade", "closed": ["suez"]})
        upgrade_to_head(db_url)  # at head already: rows are left alone
        with Store.open(db_url) as store:
            assert store.get_scenario(saved["id"]) == saved
    finally:
        engine.dispose()


def test_records_saved_before_owners_belong_to_the_local_user(db_url: str) -> None:
    """A database at 0001 (no owners, no keys) with a scenario and a plan in it: the
    upgrade keeps both, owned by the local user, who may still change them."""
    from alembic import command

    from app.db import alembic_config

    engine = make_engine(db_url)
    try:
        command.upgrade(alembic_config(engine), "0001")
        now = dt.datetime.now(dt.UTC)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO scenarios (name, version, body, created_at, updated_at) "
                    "VALUES ('old one', 2, :body, :now, :now)"
                ),
                {"body": json.dumps({"closed": ["suez"]}), "now": now},
            )
            conn.execute(
                text(
                    "INSERT INTO plans (created_at, catalogue_version, request, result) "
                    "VALUES (:now, 'c1', '{}', :result)"
                ),
                {"now": now, "result": json.dumps({"feasible": True})},
            )
    finally:
        engine.dispose()
    with Store.open(db_url) as store:
        (old,) = store.list_scenarios()
        assert (old["name"], old["owner"], old["version"], old["closed"]) == (
            "old one",
            "local",
            2,
            ["suez"],
        )
        (plan,) = store.list_plans()
        assert plan["owner"] == "local"
        with pytest.raises(ForbiddenError):
            store.delete_scenario(old["id"], actor=Actor("alice"))
        store.delete_scenario(old["id"])  # the local user (an admin) may
        assert store.count_keys() == 0


def test_alembic_command_line_migrates_the_settings_database(tmp_path: Path) -> None:
    db = tmp_path / "cli" / "relos.sqlite"
    env = {**os.environ, "RELOS_DATABASE_URL": f"sqlite:///{db}"}
    alembic = Path(sys.executable).with_name("alembic")
    out = subprocess.run(
        [str(alembic), "upgrade", "head"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    engine = make_engine(f"sqlite:///{db}")
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_default_database_is_a_sqlite_file_in_the_user_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    url = resolve_url("")
    assert url.get_backend_name() == "sqlite"
    assert Path(str(url.database)) == tmp_path / "xdg" / "relos-planner" / "relos.sqlite"
    assert user_data_dir().is_dir()
    assert make_url(str(resolve_url("postgresql://u:p@h/db"))).drivername == "postgresql+psycopg"


def test_sqlite_is_opened_for_durable_concurrent_writes(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'nested' / 'p.sqlite'}")
    try:
        with engine.connect() as conn:
            pragma = {
                name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
            }
        assert pragma["journal_mode"] == "wal"
        assert pragma["synchronous"] == 2  # FULL
        assert pragma["foreign_keys"] == 1
        assert int(pragma["busy_timeout"] or 0) >= 1000
    finally:
        engine.dispose()


def test_concurrent_writers_all_land(db_url: str) -> None:
    """Threads creating and updating at once: no lost update, no 'database is locked'."""
    with Store.open(db_url) as store:
        first = store.create_scenario({"name": "contended"})
        errors: list[BaseException] = []

        def work(n: int) -> None:
            try:
                store.create_scenario({"name": f"writer {n}"})
                for _ in range(5):
                    current = store.get_scenario(first["id"])
                    body = {k: current[k] for k in ("name", "closed")}
                    store.update_scenario(first["id"], body)
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert len(store.list_scenarios()) == 9
        assert store.get_scenario(first["id"])["version"] == 1 + 8 * 5


# -- restarts and crashes --------------------------------------------------------------------


def test_scenarios_and_saved_plans_survive_a_restart(db_url: str, tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    body = {
        "name": "Red Sea shut, RELOS lapsed",
        "date": "2027-02-01",
        "closed": ["suez", "bab-el-mandeb"],
        "dropped_agreements": ["relos"],
        "platform_overrides": {"talwar": {"replace_with": "kolkata"}},
    }
    with running(db_url, log, sea_graph=True) as server, server.client() as http:
        resp = http.post("/scenarios", json=body)
        assert resp.status_code == 201, resp.text
        saved = resp.json()
        request = {
            "nation": "IND",
            "platform": "talwar",
            "origin": MUMBAI,
            "destination": VLADIVOSTOK,
            "departure": "2026-08-01T00:00:00Z",
        }
        answer = http.post("/plans", json=request)
        assert answer.status_code == 200, answer.text
        result = answer.json()
        versions = http.get("/health").json()
        with Store.open(db_url) as store:
            plan = store.save_plan(
                request=request,
                result=result,
                scenario_id=saved["id"],
                catalogue_version=versions["catalogue_version"],
                graph_version=versions["graph_version"],
            )
    assert plan["graph_version"], "the server loaded a sea graph: its version is recorded"

    with running(db_url, log) as server, server.client() as http:
        again = http.get(f"/scenarios/{saved['id']}")
        assert again.status_code == 200, again.text
        assert again.json() == saved
        assert http.get("/scenarios").json()["scenarios"] == [saved]
        stored = http.get(f"/plans/{plan['id']}")
        assert stored.status_code == 200, stored.text
        got = stored.json()
        assert got["request"] == request and got["result"] == result
        assert got["catalogue_version"] == versions["catalogue_version"]
        assert got["graph_version"] == versions["graph_version"]
        assert got["scenario_id"] == saved["id"]
        listed = http.get("/plans/saved").json()
        assert [p["id"] for p in listed["plans"]] == [plan["id"]]
        assert listed["plans"][0]["totals"] == result["totals"]


def _scenario_body(n: int) -> dict[str, Any]:
    passages = ["suez", "bab-el-mandeb", "hormuz", "malacca"]
    return {
        "name": f"crash test {n:03d}",
        "date": f"2027-{1 + n % 12:02d}-{1 + n % 28:02d}",
        "closed": passages[: n % 4],
        "dropped_agreements": ["relos"] if n % 2 else [],
        "platform_overrides": {"talwar": {"endurance_nm": 3000 + n}},
    }


def test_kill_9_mid_write_loses_nothing_acknowledged(db_url: str, tmp_path: Path) -> None:
    """16 clients save scenarios; the server is killed with SIGKILL mid-write. Every write
    it acknowledged is there, whole, after a restart (SQLite and PostgreSQL)."""
    url = db_url
    log = tmp_path / "server.log"
    total, kill_after = 200, 40
    acked: dict[int, dict[str, Any]] = {}
    failed: list[int] = []
    refused: list[str] = []
    lock = threading.Lock()
    enough = threading.Event()
    todo = list(range(total))

    server = Server(url, log)

    def post_many() -> None:
        with server.client() as http:
            while True:
                with lock:
                    if not todo:
                        return
                    n = todo.pop(0)
                try:
                    resp = http.post("/scenarios", json=_scenario_body(n))
                except httpx.TransportError:
                    with lock:
                        failed.append(n)
                    continue
                with lock:
                    if resp.status_code != 201:
                        refused.append(f"{n}: {resp.status_code} {resp.text}")
                        continue
                    acked[n] = resp.json()
                    if len(acked) >= kill_after:
                        enough.set()

    threads = [threading.Thread(target=post_many) for _ in range(16)]
    try:
        for t in threads:
            t.start()
        assert enough.wait(timeout=120), f"only {len(acked)} writes acknowledged"
    finally:
        server.kill()  # SIGKILL, with requests in flight
        for t in threads:
            t.join(timeout=120)
    assert refused == []
    assert failed, "the server was killed after every write had finished: nothing was in flight"
    assert len(acked) < total
    if url.startswith("sqlite:///"):
        db = Path(url.removeprefix("sqlite:///"))
        with closing(sqlite3.connect(db)) as conn:  # the file as the crash left it
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)

    with running(url, log) as again, again.client() as http:
        listed = http.get("/scenarios", params={"limit": 1000}).json()
        assert listed["count"] == len(listed["scenarios"])
        stored = {s["name"]: s for s in listed["scenarios"]}
        for n, ack in acked.items():
            assert stored.get(ack["name"]) == ack, f"acknowledged write {n} lost or changed"
        for s in stored.values():  # what was not acknowledged is absent or whole
            n = int(s["name"].rsplit(" ", 1)[1])
            sent = _scenario_body(n)
            assert {k: s[k] for k in sent} == sent
        resp = http.post("/scenarios", json=_scenario_body(total))
        assert resp.status_code == 201, resp.text
