"""Newsletter: confirmation and unsubscribe record on subscribers, round-ups and their deliveries

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

OPEN_STATUSES = sa.text("status IN ('draft', 'sending')")


def upgrade():
    # Rows already stored keep their data; pending ones have had no confirmation sent yet.
    with op.batch_alter_table('subscribers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unsubscribe_ip', sa.String(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('confirmation_sent_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('confirmation_tried_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('imported_at', sa.DateTime(), nullable=True))

    op.create_table('digests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('intro_md', sa.Text(), nullable=False),
    sa.Column('intro_html', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('sending_by', sa.String(length=200), nullable=False),
    sa.Column('heartbeat_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_digests'))
    )
    # A partial unique index: at most one draft and one round-up being sent at any time.
    op.create_index('uq_digests_status_open', 'digests', ['status'], unique=True,
                    sqlite_where=OPEN_STATUSES, postgresql_where=OPEN_STATUSES)

    op.create_table('digest_articles',
    sa.Column('digest_id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_digest_articles_article_id_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['digest_id'], ['digests.id'], name=op.f('fk_digest_articles_digest_id_digests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('digest_id', 'article_id', name=op.f('pk_digest_articles'))
    )
    op.create_index(op.f('ix_digest_articles_article_id'), 'digest_articles', ['article_id'], unique=False)

    # The primary key (digest, subscriber) is what makes a round-up reach each subscriber once.
    op.create_table('digest_deliveries',
    sa.Column('digest_id', sa.Integer(), nullable=False),
    sa.Column('subscriber_id', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=False),
    sa.Column('refusal', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['digest_id'], ['digests.id'], name=op.f('fk_digest_deliveries_digest_id_digests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subscriber_id'], ['subscribers.id'], name=op.f('fk_digest_deliveries_subscriber_id_subscribers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('digest_id', 'subscriber_id', name=op.f('pk_digest_deliveries'))
    )
    op.create_index(op.f('ix_digest_deliveries_subscriber_id'), 'digest_deliveries', ['subscriber_id'], unique=False)


def downgrade():
    # The tables that refer to subscribers go first: on SQLite, dropping columns rebuilds the table.
    op.drop_index(op.f('ix_digest_deliveries_subscriber_id'), table_name='digest_deliveries')
    op.drop_table('digest_deliveries')
    op.drop_index(op.f('ix_digest_articles_article_id'), table_name='digest_articles')
    op.drop_table('digest_articles')
    op.drop_index('uq_digests_status_open', table_name='digests')
    op.drop_table('digests')

    with op.batch_alter_table('subscribers', schema=None) as batch_op:
        batch_op.drop_column('imported_at')
        batch_op.drop_column('confirmation_tried_at')
        batch_op.drop_column('confirmation_sent_at')
        batch_op.drop_column('unsubscribe_ip')
