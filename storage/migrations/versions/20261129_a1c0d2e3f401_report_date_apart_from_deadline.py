"""the report date apart from the citizens' deadline

Revision ID: a1c0d2e3f401
Revises: 4fec7c863ef4
Create Date: 2026-11-29 10:30:00

The setting `deadline` keeps its meaning, the citizens' deadline (reminders always counted
down to it). What changes is its default: 20/11 instead of 10/12, because 10/12 is the day
the commune's report goes upward (the seed plan, section V.6), now the new setting
`report_date`. A stored `deadline` of exactly "10/12" copied that plan date, so it becomes a
`report_date` on the same node and year; any other stored deadline stays as it is.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a1c0d2e3f401"
down_revision: str | None = "4fec7c863ef4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PLAN_DATE = "10/12"


def upgrade() -> None:
    op.execute(
        sa.text(
            "UPDATE schedule_settings SET key = 'report_date' "
            "WHERE key = 'deadline' AND value = :plan_date"
        ).bindparams(plan_date=PLAN_DATE)
    )


def downgrade() -> None:
    op.execute(
        sa.text(
            "UPDATE schedule_settings SET key = 'deadline' "
            "WHERE key = 'report_date' AND value = :plan_date AND NOT EXISTS ("
            "SELECT 1 FROM schedule_settings AS other WHERE other.key = 'deadline' "
            "AND other.org_unit_id = schedule_settings.org_unit_id "
            "AND other.year IS NOT DISTINCT FROM schedule_settings.year)"
        ).bindparams(plan_date=PLAN_DATE)
    )
    op.execute(sa.text("DELETE FROM schedule_settings WHERE key = 'report_date'"))
