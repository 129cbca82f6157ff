"""API keys, and an owner on every saved scenario and plan.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Records saved before owners existed belong to the single local user.
LEGACY_OWNER = "local"


def upgrade() -> None:
    """Create ``api_keys``; add ``owner`` to ``scenarios`` and ``plans``."""
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_api_keys_name"), "api_keys", ["name"])
    for table in ("scenarios", "plans"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column(
                    "owner",
                    sa.String(length=200),
                    nullable=False,
                    server_default=LEGACY_OWNER,
                )
            )
        op.create_index(op.f(f"ix_{table}_owner"), table, ["owner"])


def downgrade() -> None:
    """Drop the owners and ``api_keys``."""
    for table in ("plans", "scenarios"):
        op.drop_index(op.f(f"ix_{table}_owner"), table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("owner")
    op.drop_index(op.f("ix_api_keys_name"), table_name="api_keys")
    op.drop_table("api_keys")
