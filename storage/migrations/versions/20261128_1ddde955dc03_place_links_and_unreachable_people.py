"""place links and unreachable people

Revision ID: 1ddde955dc03
Revises: 97697fcd2eaf
Create Date: 2026-11-28 16:04:55.760337
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '1ddde955dc03'
down_revision: str | None = '97697fcd2eaf'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table('place_links',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_place_links_org_unit_id_org_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_place_links'))
    )
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unreachable_at', sa.DateTime(timezone=True), nullable=True))




def downgrade() -> None:

    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_column('unreachable_at')

    op.drop_table('place_links')

