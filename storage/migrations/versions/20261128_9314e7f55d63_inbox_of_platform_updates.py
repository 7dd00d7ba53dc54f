"""inbox of platform updates

Revision ID: 9314e7f55d63
Revises: 62f3bfc4c22e
Create Date: 2026-11-28 17:23:35.430126
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '9314e7f55d63'
down_revision: str | None = '62f3bfc4c22e'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table('inbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('update_id', sa.String(length=64), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbox')),
    sa.UniqueConstraint('channel', 'update_id', name=op.f('uq_inbox_channel'))
    )
    with op.batch_alter_table('inbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbox_done_at'), ['done_at'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('inbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbox_done_at'))

    op.drop_table('inbox')

