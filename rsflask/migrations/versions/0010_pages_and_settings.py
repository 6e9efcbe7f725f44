"""Pages and their old addresses; the Settings page's saves; masthead fields of authors;
revisions of pages; the privacy page a subscriber was shown

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 06:06:06.229244

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=200), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('dek', sa.String(length=500), nullable=False),
    sa.Column('body_md', sa.Text(), nullable=False),
    sa.Column('lead_html', sa.Text(), nullable=False),
    sa.Column('rest_html', sa.Text(), nullable=False),
    sa.Column('word_count', sa.Integer(), nullable=False),
    sa.Column('page_type', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('status_before_trash', sa.String(length=20), nullable=False),
    sa.Column('nav_position', sa.Integer(), nullable=True),
    sa.Column('footer_position', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_pages_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['parent_id'], ['pages.id'], name=op.f('fk_pages_parent_id_pages'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pages')),
    sa.UniqueConstraint('slug', name=op.f('uq_pages_slug'))
    )
    with op.batch_alter_table('pages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pages_parent_id'), ['parent_id'], unique=False)

    op.create_table('site_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('values_json', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_site_settings_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_site_settings'))
    )
    op.create_table('page_redirects',
    sa.Column('old_path', sa.String(length=401), nullable=False),
    sa.Column('page_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['page_id'], ['pages.id'], name=op.f('fk_page_redirects_page_id_pages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('old_path', name=op.f('pk_page_redirects'))
    )
    with op.batch_alter_table('page_redirects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_page_redirects_page_id'), ['page_id'], unique=False)

    # Server defaults, so that SQLite adds the columns without rebuilding the table (see 0009).
    with op.batch_alter_table('authors', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role_line', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('is_staff', sa.Boolean(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('staff_position', sa.Integer(), server_default='100', nullable=False))

    # A revision belongs to an article or a page. article_id becoming nullable rebuilds the table
    # on SQLite, which is safe here: no other table refers to revisions.
    with op.batch_alter_table('revisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('page_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('page_parent_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('page_type', sa.String(length=20), nullable=True))
        batch_op.alter_column('article_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_index('ix_revisions_page_created', ['page_id', 'created_at'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_revisions_page_id_pages'), 'pages', ['page_id'], ['id'], ondelete='CASCADE')
        batch_op.create_check_constraint('one_owner', '(article_id IS NULL) <> (page_id IS NULL)')

    # No foreign key: SQLite would rebuild subscribers, deleting the deliveries that refer to it.
    with op.batch_alter_table('subscribers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('privacy_revision_id', sa.Integer(), nullable=True))



def downgrade():
    # Revisions of pages cannot outlive the pages, nor fit a NOT NULL article_id.
    op.execute("DELETE FROM revisions WHERE page_id IS NOT NULL")
    # Not in batch mode: a rebuild of subscribers or authors would delete the rows that refer to
    # them; SQLite (3.35 and later) drops a column itself.
    op.drop_column('subscribers', 'privacy_revision_id')

    with op.batch_alter_table('revisions', schema=None) as batch_op:
        batch_op.drop_constraint('one_owner', type_='check')
        batch_op.drop_constraint(batch_op.f('fk_revisions_page_id_pages'), type_='foreignkey')
        batch_op.drop_index('ix_revisions_page_created')
        batch_op.alter_column('article_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('page_type')
        batch_op.drop_column('page_parent_id')
        batch_op.drop_column('page_id')

    for column in ('staff_position', 'is_staff', 'role_line'):
        op.drop_column('authors', column)

    with op.batch_alter_table('page_redirects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_page_redirects_page_id'))

    op.drop_table('page_redirects')
    op.drop_table('site_settings')
    with op.batch_alter_table('pages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pages_parent_id'))

    op.drop_table('pages')
