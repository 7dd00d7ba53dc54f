"""schedules, campaigns, outbox campaign and quiet hours

Revision ID: 62f3bfc4c22e
Revises: 5d0a576c6944
Create Date: 2026-11-28 16:45:26.388504
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '62f3bfc4c22e'
down_revision: str | None = '5d0a576c6944'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table('campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_campaigns_org_unit_id_org_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaigns')),
    sa.UniqueConstraint('key', name=op.f('uq_campaigns_key'))
    )
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaigns_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_campaigns_org_unit_id'), ['org_unit_id'], unique=False)

    op.create_table('schedule_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('value', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_schedule_settings_org_unit_id_org_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schedule_settings')),
    sa.UniqueConstraint('org_unit_id', 'year', 'key', name=op.f('uq_schedule_settings_org_unit_id'))
    )
    with op.batch_alter_table('schedule_settings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_schedule_settings_org_unit_id'), ['org_unit_id'], unique=False)

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('campaign', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('quiet_hours', sa.String(length=11), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_campaign'), ['campaign'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_campaign'))
        batch_op.drop_column('quiet_hours')
        batch_op.drop_column('campaign')

    with op.batch_alter_table('schedule_settings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_schedule_settings_org_unit_id'))

    op.drop_table('schedule_settings')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaigns_org_unit_id'))
        batch_op.drop_index(batch_op.f('ix_campaigns_created_at'))

    op.drop_table('campaigns')

