"""Users: a session generation; ended sign-ins

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 13:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    # With a server default, SQLite adds the column without rebuilding the table, and every
    # existing account starts at generation 0.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False)
        )

    op.create_table('ended_sign_ins',
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('expires', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('token', name=op.f('pk_ended_sign_ins'))
    )
    with op.batch_alter_table('ended_sign_ins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ended_sign_ins_expires'), ['expires'], unique=False)


def downgrade():
    with op.batch_alter_table('ended_sign_ins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ended_sign_ins_expires'))

    op.drop_table('ended_sign_ins')
    # Not in batch mode: SQLite (3.35 and later) drops a column itself (see 0007).
    op.drop_column('users', 'session_generation')
