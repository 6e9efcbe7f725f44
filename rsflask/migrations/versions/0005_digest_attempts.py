"""Round-ups: when their articles were chosen, and the runs in which a copy was put off

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    # Added without a table rebuild on SQLite: a rebuild drops the table, and with foreign keys
    # on, dropping digests deletes the rows that refer to it (deliveries, articles chosen).
    with op.batch_alter_table('digests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chosen_at', sa.DateTime(), nullable=True))
    # Round-ups already begun covered up to when they began, as before; a draft, from its first
    # save (its later saves were not recorded): earlier rather than leave an article out.
    op.execute("UPDATE digests SET chosen_at = COALESCE(started_at, created_at)")

    op.create_table('digest_attempts',
    sa.Column('digest_id', sa.Integer(), nullable=False),
    sa.Column('subscriber_id', sa.Integer(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('answer', sa.String(length=500), nullable=False),
    sa.Column('tried_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['digest_id'], ['digests.id'], name=op.f('fk_digest_attempts_digest_id_digests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subscriber_id'], ['subscribers.id'], name=op.f('fk_digest_attempts_subscriber_id_subscribers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('digest_id', 'subscriber_id', name=op.f('pk_digest_attempts'))
    )
    op.create_index(op.f('ix_digest_attempts_subscriber_id'), 'digest_attempts', ['subscriber_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_digest_attempts_subscriber_id'), table_name='digest_attempts')
    op.drop_table('digest_attempts')
    # Not in batch mode, for the reason above: SQLite (3.35 and later) drops the column itself.
    op.drop_column('digests', 'chosen_at')
