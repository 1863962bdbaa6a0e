"""trust boundary: trading relationships, token rotation, where a proof of delivery was given

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-07 12:00:00

- trading_relationships: a seller may create orders for a buyer (and see its delivery sites) only
  once the buyer accepted. Every seller and buyer that already share an order get an accepted
  relationship, so what worked before keeps working.
- api_tokens.replaced_by_id: the successor of a rotated token. ERP tokens that never expired get
  the default lifetime (90 days from the upgrade), so no token lives for ever.
- proofs_of_delivery: distance from the delivery site, where that position came from, the radius
  held to, and whether the proof was given off the site.
"""
from datetime import UTC, datetime, timedelta

from alembic import op
import sqlalchemy as sa

import server.db.types

revision = '0010'
down_revision = '0015'
branch_labels = None
depends_on = None

ERP_TOKEN_DAYS = 90  # server.config ERP_TOKEN_TTL_DAYS' default


def upgrade():
    op.create_table('trading_relationships',
    sa.Column('seller_org_id', sa.Integer(), nullable=False),
    sa.Column('buyer_org_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('message', sa.String(length=500), nullable=False),
    sa.Column('requested_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('requested_by_user_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by_user_id', sa.Integer(), nullable=True),
    sa.Column('ended_at', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ended_by_org_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['seller_org_id'], ['organisations.id'],
                            name=op.f('fk_trading_relationships_seller_org_id_organisations')),
    sa.ForeignKeyConstraint(['buyer_org_id'], ['organisations.id'],
                            name=op.f('fk_trading_relationships_buyer_org_id_organisations')),
    sa.ForeignKeyConstraint(['requested_by_user_id'], ['users.id'],
                            name=op.f('fk_trading_relationships_requested_by_user_id_users')),
    sa.ForeignKeyConstraint(['decided_by_user_id'], ['users.id'],
                            name=op.f('fk_trading_relationships_decided_by_user_id_users')),
    sa.ForeignKeyConstraint(['ended_by_org_id'], ['organisations.id'],
                            name=op.f('fk_trading_relationships_ended_by_org_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trading_relationships')),
    sa.UniqueConstraint('seller_org_id', 'buyer_org_id',
                        name=op.f('uq_trading_relationships_seller_org_id_buyer_org_id'))
    )
    op.create_index(op.f('ix_trading_relationships_seller_org_id'), 'trading_relationships', ['seller_org_id'],
                    unique=False)
    op.create_index(op.f('ix_trading_relationships_buyer_org_id'), 'trading_relationships', ['buyer_org_id'],
                    unique=False)
    op.create_index(op.f('ix_trading_relationships_status'), 'trading_relationships', ['status'], unique=False)
    now = datetime.now(UTC)
    stamp = server.db.types.UTCDateTime()  # so each backend gets the time as it stores it
    # Pairs that already trade keep trading: accepted from their first order on.
    op.get_bind().execute(sa.text(
        "INSERT INTO trading_relationships (seller_org_id, buyer_org_id, status, message, requested_at, decided_at,"
        " created_at) SELECT seller_org_id, buyer_org_id, 'accepted', 'existing orders (migration 0010)',"
        " MIN(created_at), MIN(created_at), :now FROM orders GROUP BY seller_org_id, buyer_org_id").bindparams(sa.bindparam("now", type_=stamp)), {"now": now})

    with op.batch_alter_table('api_tokens') as batch:
        batch.add_column(sa.Column('replaced_by_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f('fk_api_tokens_replaced_by_id_api_tokens'), 'api_tokens',
                                 ['replaced_by_id'], ['id'])
    op.get_bind().execute(sa.text(
        "UPDATE api_tokens SET expires_at = :until WHERE kind = 'erp' AND expires_at IS NULL AND revoked_at IS NULL")
        .bindparams(sa.bindparam("until", type_=stamp)), {"until": now + timedelta(days=ERP_TOKEN_DAYS)})

    with op.batch_alter_table('proofs_of_delivery') as batch:
        batch.add_column(sa.Column('distance_m', sa.Float(), nullable=True))
        batch.add_column(sa.Column('position_source', sa.String(length=10), nullable=True))
        batch.add_column(sa.Column('radius_m', sa.Float(), nullable=True))
        batch.add_column(sa.Column('off_site', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('proofs_of_delivery') as batch:
        for column in ('off_site', 'radius_m', 'position_source', 'distance_m'):
            batch.drop_column(column)
    with op.batch_alter_table('api_tokens') as batch:
        batch.drop_constraint(op.f('fk_api_tokens_replaced_by_id_api_tokens'), type_='foreignkey')
        batch.drop_column('replaced_by_id')
    op.drop_index(op.f('ix_trading_relationships_status'), table_name='trading_relationships')
    op.drop_index(op.f('ix_trading_relationships_buyer_org_id'), table_name='trading_relationships')
    op.drop_index(op.f('ix_trading_relationships_seller_org_id'), table_name='trading_relationships')
    op.drop_table('trading_relationships')
