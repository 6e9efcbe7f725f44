"""Imported items: each article or page an importer made, by its id in the system it came from

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('imported_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('external_id', sa.String(length=500), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=True),
    sa.Column('page_id', sa.Integer(), nullable=True),
    sa.Column('version_at_import', sa.Integer(), nullable=False),
    sa.Column('source_digest', sa.String(length=64), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_imported_items_article_id_articles'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['page_id'], ['pages.id'], name=op.f('fk_imported_items_page_id_pages'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_imported_items')),
    sa.UniqueConstraint('source', 'external_id', name=op.f('uq_imported_items_source'))
    )
    op.create_index(op.f('ix_imported_items_article_id'), 'imported_items', ['article_id'], unique=False)
    op.create_index(op.f('ix_imported_items_page_id'), 'imported_items', ['page_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_imported_items_page_id'), table_name='imported_items')
    op.drop_index(op.f('ix_imported_items_article_id'), table_name='imported_items')
    op.drop_table('imported_items')
