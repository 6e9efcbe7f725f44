"""Revisions: the slug, type, section, tags, authors, photo alt text and credit and publish time

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

COLUMNS = [
    ('slug', sa.String(length=200)),
    ('type_id', sa.Integer()),
    ('section_id', sa.Integer()),
    ('tags', sa.String(length=1000)),
    ('authors', sa.String(length=1000)),
    ('photo_alt', sa.String(length=500)),
    ('photo_credit', sa.String(length=300)),
    ('published_at', sa.DateTime()),
]


def upgrade():
    # Plain nullable columns, so that SQLite adds them without rebuilding the table (see 0005).
    with op.batch_alter_table('revisions', schema=None) as batch_op:
        for name, type_ in COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))


def downgrade():
    # Not in batch mode, for the same reason: SQLite (3.35 and later) drops a column itself.
    for name, _ in reversed(COLUMNS):
        op.drop_column('revisions', name)
