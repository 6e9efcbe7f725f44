"""Articles: an index that tells whether an article is visible without reading its row

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 23:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_articles_visibility', 'articles', ['id', 'status', 'published_at'], unique=False
    )


def downgrade():
    op.drop_index('ix_articles_visibility', table_name='articles')
