"""the state's digital-skills certificate on an assessment

A person may say they hold the basic digital-skills certificate recorded on VNeID
(QĐ 757/QĐ-BKHCN); it is kept with the season's assessment, null when not said.

Revision ID: b5d2c8e1a3f7
Revises: a7c3e1f0b2d4
Create Date: 2026-11-29 13:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b5d2c8e1a3f7"
down_revision: str | None = "a7c3e1f0b2d4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("assessments") as batch:
        batch.add_column(sa.Column("digital_certificate", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assessments") as batch:
        batch.drop_column("digital_certificate")
