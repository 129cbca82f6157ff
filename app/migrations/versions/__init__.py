"""Alembic revision scripts, applied in order by ``app.db.upgrade_to_head``."""
