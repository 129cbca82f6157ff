"""Alembic migrations of the scenario and saved-plan store (see ``app.db``)."""
