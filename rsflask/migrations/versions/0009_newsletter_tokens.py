"""Newsletter links as random tokens stored hashed; the mailbox of each address; who confirmed

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 14:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

DOTLESS_DOMAINS = ('gmail.com', 'googlemail.com')


def mailbox_of(email):
    # As rsflask.models.newsletter.mailbox_of did when this was written: a migration must not
    # change with the code.
    local, _, domain = email.lower().rpartition('@')
    local = local.split('+', 1)[0]
    if domain in DOTLESS_DOMAINS:
        local, domain = local.replace('.', ''), 'gmail.com'
    return f'{local}@{domain}'


def upgrade():
    # Columns with a constant default, so that SQLite adds them without rebuilding the table: a
    # rebuild drops it, and with foreign keys on, that deletes the deliveries that refer to it.
    with op.batch_alter_table('subscribers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mailbox', sa.String(length=320), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('confirm_user_agent', sa.String(length=500), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_subscribers_mailbox'), ['mailbox'], unique=False)
    subscribers = sa.table('subscribers', sa.column('id', sa.Integer), sa.column('email', sa.String), sa.column('mailbox', sa.String))
    connection = op.get_bind()
    for id_, email in connection.execute(sa.select(subscribers.c.id, subscribers.c.email)).all():
        connection.execute(subscribers.update().where(subscribers.c.id == id_).values(mailbox=mailbox_of(email)))

    op.create_table('subscriber_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subscriber_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=True),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['subscriber_id'], ['subscribers.id'], name=op.f('fk_subscriber_tokens_subscriber_id_subscribers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subscriber_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_subscriber_tokens_token_hash'))
    )
    op.create_index(op.f('ix_subscriber_tokens_subscriber_id'), 'subscriber_tokens', ['subscriber_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_subscriber_tokens_subscriber_id'), table_name='subscriber_tokens')
    op.drop_table('subscriber_tokens')
    # Not in batch mode, for the reason above: SQLite (3.35 and later) drops a column itself.
    op.drop_index(op.f('ix_subscribers_mailbox'), table_name='subscribers')
    op.drop_column('subscribers', 'confirm_user_agent')
    op.drop_column('subscribers', 'mailbox')
