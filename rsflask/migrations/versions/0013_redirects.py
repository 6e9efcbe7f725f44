"""Redirects an editor manages and the importers write: old addresses, their targets, hit counts

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    # A new table referring to articles and pages: neither of them is altered or rebuilt.
    op.create_table('redirects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('old_path', sa.String(length=1000), nullable=False),
    sa.Column('match_path', sa.String(length=1000), nullable=False),
    sa.Column('target_url', sa.String(length=1000), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=True),
    sa.Column('page_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('hit_count', sa.Integer(), nullable=False),
    sa.Column('last_hit_at', sa.DateTime(), nullable=True),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_redirects_article_id_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['page_id'], ['pages.id'], name=op.f('fk_redirects_page_id_pages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_redirects')),
    sa.UniqueConstraint('match_path', name=op.f('uq_redirects_match_path'))
    )
    op.create_index(op.f('ix_redirects_article_id'), 'redirects', ['article_id'], unique=False)
    op.create_index(op.f('ix_redirects_page_id'), 'redirects', ['page_id'], unique=False)
    op.create_index(op.f('ix_redirects_target_url'), 'redirects', ['target_url'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_redirects_target_url'), table_name='redirects')
    op.drop_index(op.f('ix_redirects_page_id'), table_name='redirects')
    op.drop_index(op.f('ix_redirects_article_id'), table_name='redirects')
    op.drop_table('redirects')
