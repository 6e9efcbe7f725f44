"""Corrections, updates and editor's notes on articles; the notes kept with each revision;
each article's search and social fields, kept with each revision too

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

    # Added with ALTER TABLE ADD COLUMN, never a batch rebuild of articles: with foreign keys on,
    # SQLite's rebuild would delete every row that refers to an article. Hence server defaults,
    # and no foreign key on social_image_id.
    op.add_column('articles', sa.Column('social_title', sa.String(length=300), server_default='', nullable=False))
    op.add_column('articles', sa.Column('social_description', sa.String(length=500), server_default='', nullable=False))
    op.add_column('articles', sa.Column('social_image_id', sa.Integer(), nullable=True))
    op.add_column('articles', sa.Column('canonical_url', sa.String(length=500), server_default='', nullable=False))
    op.add_column('articles', sa.Column('noindex', sa.Boolean(), server_default='0', nullable=False))
    op.add_column('revisions', sa.Column('social_title', sa.String(length=300), nullable=True))
    op.add_column('revisions', sa.Column('social_description', sa.String(length=500), nullable=True))
    op.add_column('revisions', sa.Column('canonical_url', sa.String(length=500), nullable=True))
    op.add_column('revisions', sa.Column('noindex', sa.Boolean(), nullable=True))


def downgrade():
    # Outside batch mode, as upgrade added them: no rebuild of articles (see above).
    for column in ('noindex', 'canonical_url', 'social_description', 'social_title'):
        op.drop_column('revisions', column)
    for column in ('noindex', 'canonical_url', 'social_image_id', 'social_description', 'social_title'):
        op.drop_column('articles', column)
    op.drop_column('revisions', 'notes')

    with op.batch_alter_table('article_notes', schema=None) as batch_op:
        batch_op.drop_index('ix_article_notes_kind_noted_at')
        batch_op.drop_index(batch_op.f('ix_article_notes_article_id'))

    op.drop_table('article_notes')
