"""inbox: a partial index on the replies stored and not yet marked sent

Every worker looks, once a second, for people whose replies were stored but not marked sent
(their worker died between answering and sending). Without this index that read went
through every update handled in the last hour; with it, through the few unsent ones.

Revision ID: c4e7a9d2b6f1
Revises: b8d2f4a6c1e3
Create Date: 2026-11-29 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4e7a9d2b6f1"
down_revision: str | None = "b8d2f4a6c1e3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNSENT = sa.text("replies IS NOT NULL")


def upgrade() -> None:
    op.create_index(
        "ix_inbox_unsent",
        "inbox",
        ["done_at"],
        unique=False,
        sqlite_where=UNSENT,
        postgresql_where=UNSENT,
    )


def downgrade() -> None:
    op.drop_index("ix_inbox_unsent", table_name="inbox")
