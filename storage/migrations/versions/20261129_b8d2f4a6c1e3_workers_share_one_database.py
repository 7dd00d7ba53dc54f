"""workers share one database: the inbox knows whose an update is, leases, send budgets

Several `cdht run` processes on one PostgreSQL claim one person's waiting updates at a time
(so the inbox is read by person), one of them polls each bot and plans each tick (leases),
and they share each bot's send rate (send_budgets).

Revision ID: b8d2f4a6c1e3
Revises: face1fb5caa2
Create Date: 2026-11-29 13:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "b8d2f4a6c1e3"
down_revision: str | None = "face1fb5caa2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "leases",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=128), nullable=False),
        sa.Column("expires_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_leases")),
    )
    op.create_table(
        "send_budgets",
        sa.Column("bot", sa.String(length=64), nullable=False),
        sa.Column("next_slot_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("bot", name=op.f("pk_send_budgets")),
    )
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inbox_person_waiting", ["channel", "user_ref", "done_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.drop_index("ix_inbox_person_waiting")
    op.drop_table("send_budgets")
    op.drop_table("leases")
