"""Corrections, updates and editor's notes on articles; the notes kept with each revision

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 06:37:43.792131

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('article_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('text_md', sa.Text(), nullable=False),
    sa.Column('text_html', sa.Text(), nullable=False),
    sa.Column('noted_at', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_article_notes_article_id_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_article_notes_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_article_notes'))
    )
    with op.batch_alter_table('article_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_notes_article_id'), ['article_id'], unique=False)
        batch_op.create_index('ix_article_notes_kind_noted_at', ['kind', 'noted_at'], unique=False)

    # A plain nullable column, added without rebuilding the table (see 0007).
    with op.batch_alter_table('revisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notes', sa.Text(), nullable=True))



def downgrade():
    op.drop_column('revisions', 'notes')

    with op.batch_alter_table('article_notes', schema=None) as batch_op:
        batch_op.drop_index('ix_article_notes_kind_noted_at')
        batch_op.drop_index(batch_op.f('ix_article_notes_article_id'))

    op.drop_table('article_notes')
