"""Photos inside bodies: each photo's own alt text and credit (the library's defaults), and which
articles, pages and round-ups show a photo in their text

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 10:00:00

"""
import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

OWNERS = (('article', 'articles', 'body_md'), ('page', 'pages', 'body_md'), ('digest', 'digests', 'intro_md'))
SNIPPET_ID = re.compile(r"\]\(\s*photo:(\d+)")


def upgrade():
    # Plain ALTER TABLE ADD COLUMN: articles refer to photos, and a batch rebuild of photos would
    # go through them (see 0011).
    op.add_column('photos', sa.Column('alt', sa.String(length=500), server_default='', nullable=False))
    op.add_column('photos', sa.Column('credit', sa.String(length=300), server_default='', nullable=False))
    for owner, table, _ in OWNERS:
        op.create_table(f'{owner}_inline_photos',
        sa.Column(f'{owner}_id', sa.Integer(), nullable=False),
        sa.Column('photo_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint([f'{owner}_id'], [f'{table}.id'], name=op.f(f'fk_{owner}_inline_photos_{owner}_id_{table}'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['photo_id'], ['photos.id'], name=op.f(f'fk_{owner}_inline_photos_photo_id_photos')),
        sa.PrimaryKeyConstraint(f'{owner}_id', 'photo_id', name=op.f(f'pk_{owner}_inline_photos'))
        )
        op.create_index(op.f(f'ix_{owner}_inline_photos_photo_id'), f'{owner}_inline_photos', ['photo_id'], unique=False)

    connection = op.get_bind()
    # A top photo's alt text and credit, as its article gave them, become the library's.
    connection.execute(sa.text(
        "UPDATE photos SET"
        " alt = COALESCE((SELECT a.photo_alt FROM articles a WHERE a.photo_id = photos.id ORDER BY a.id LIMIT 1), ''),"
        " credit = COALESCE((SELECT a.photo_credit FROM articles a WHERE a.photo_id = photos.id ORDER BY a.id LIMIT 1), '')"
    ))
    # Bodies written before the snippet existed may hold one anyway (it rendered as nothing then).
    photo_ids = {row[0] for row in connection.execute(sa.text("SELECT id FROM photos"))}
    for owner, table, column in OWNERS:
        rows = connection.execute(sa.text(f"SELECT id, {column} FROM {table} WHERE {column} LIKE '%photo:%'"))
        for owner_id, text in rows.fetchall():
            for photo_id in {int(found) for found in SNIPPET_ID.findall(text)} & photo_ids:
                connection.execute(
                    sa.text(f"INSERT INTO {owner}_inline_photos ({owner}_id, photo_id) VALUES (:o, :p)"),
                    {"o": owner_id, "p": photo_id},
                )


def downgrade():
    for owner, _, _ in reversed(OWNERS):
        op.drop_index(op.f(f'ix_{owner}_inline_photos_photo_id'), table_name=f'{owner}_inline_photos')
        op.drop_table(f'{owner}_inline_photos')
    op.drop_column('photos', 'credit')
    op.drop_column('photos', 'alt')
