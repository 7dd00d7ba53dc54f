"""drop the APScheduler job table

APScheduler kept its jobs in a table of ours through a synchronous driver, which blocked the
event loop and stopped the scheduler for good on one "database is locked". The jobs now live
in memory (what they produce is idempotent data of ours), so the table goes.

Revision ID: a7c3e1f0b2d4
Revises: e98cd2edcc66
Create Date: 2026-11-29 10:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "a7c3e1f0b2d4"
down_revision: str | None = "e98cd2edcc66"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # APScheduler created it itself, so it exists only where `cdht run` ran before.
    op.execute("DROP TABLE IF EXISTS apscheduler_jobs")


def downgrade() -> None:
    # Nothing to restore: an older version's APScheduler creates its table on start.
    pass
