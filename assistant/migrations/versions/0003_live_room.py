"""live room

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 04:32:04.134110
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('host_actions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('room_id', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('action', sa.String(length=24), nullable=False),
    sa.Column('group_id', sa.String(length=32), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_host_actions'))
    )
    with op.batch_alter_table('host_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_host_actions_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_host_actions_room_id'), ['room_id'], unique=False)

    op.create_table('outbox',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('room_id', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('group_id', sa.String(length=32), nullable=True),
    sa.Column('users', sa.JSON(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_room_id_id', ['room_id', 'id'], unique=False)

    op.create_table('room_policies',
    sa.Column('room_id', sa.String(length=64), nullable=False),
    sa.Column('auto_post', sa.Boolean(), nullable=False),
    sa.Column('late_after_seconds', sa.Integer(), nullable=False),
    sa.Column('webhook_url', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('room_id', name=op.f('pk_room_policies'))
    )
    op.create_table('corrections',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('transcript_id', sa.Integer(), nullable=False),
    sa.Column('right_action', sa.String(length=16), nullable=False),
    sa.Column('right_reply', sa.Text(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['transcript_id'], ['transcripts.id'], name=op.f('fk_corrections_transcript_id_transcripts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_corrections'))
    )
    with op.batch_alter_table('corrections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_corrections_transcript_id'), ['transcript_id'], unique=False)

    with op.batch_alter_table('stock', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_updated_at'), ['updated_at'], unique=False)

    with op.batch_alter_table('transcripts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_id', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('group_id', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('route', sa.String(length=16), nullable=True))
        batch_op.create_index(batch_op.f('ix_transcripts_group_id'), ['group_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_transcripts_message_id'), ['message_id'])



def downgrade() -> None:
    with op.batch_alter_table('transcripts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_transcripts_message_id'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_transcripts_group_id'))
        batch_op.drop_column('route')
        batch_op.drop_column('group_id')
        batch_op.drop_column('message_id')

    with op.batch_alter_table('stock', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_updated_at'))

    with op.batch_alter_table('corrections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_corrections_transcript_id'))

    op.drop_table('corrections')
    op.drop_table('room_policies')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_room_id_id')

    op.drop_table('outbox')
    with op.batch_alter_table('host_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_host_actions_room_id'))
        batch_op.drop_index(batch_op.f('ix_host_actions_group_id'))

    op.drop_table('host_actions')
