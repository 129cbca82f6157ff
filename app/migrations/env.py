"""Alembic environment of the scenario and saved-plan store.

The database is, in order: the engine handed over by :func:`app.db.upgrade_to_head`
(``config.attributes["engine"]``), ``sqlalchemy.url`` if set, or else the URL of
the service's settings (``RELOS_DATABASE_URL`` / ``DATABASE_URL``, default the
SQLite file in the user data directory), so ``.venv/bin/alembic upgrade head``
acts on the database the service would open.
"""

from __future__ import annotations

import logging.config

from alembic import context
from sqlalchemy import Engine

from app.db import Base, make_engine, migration_transaction, resolve_url

config = context.config


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        from app.settings import Settings

        url = Settings().database_url
    return resolve_url(url).render_as_string(hide_password=False)


def run_offline() -> None:
    """Emit the SQL without a database (``alembic upgrade head --sql``)."""
    context.configure(url=_url(), target_metadata=Base.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Migrate the database in one transaction, exclusive among concurrent starters."""
    given: Engine | None = config.attributes.get("engine")
    engine = given or make_engine(_url())
    try:
        with engine.connect() as connection, migration_transaction(connection):
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                render_as_batch=connection.dialect.name == "sqlite",
                compare_type=True,
                transactional_ddl=True,  # migration_transaction holds the whole run
            )
            context.run_migrations()
    finally:
        if given is None:
            engine.dispose()


if config.config_file_name is not None and config.get_section("loggers"):
    logging.config.fileConfig(config.config_file_name, disable_existing_loggers=False)

if context.is_offline_mode():
    run_offline()
else:
    run_online()
