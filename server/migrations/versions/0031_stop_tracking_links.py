"""a tracking link can be bound to one buyer's stop on a multi-drop load

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07 16:30:00

- tracking_links.stop_buyer_org_id: the buyer (with only a stop on the load) whose stop the link
  shows; NULL for the whole-load links of the seller and the lead buyer, as every existing link is.
Nullable without a default: a catalogue change on PostgreSQL, an in-place ADD on SQLite (the foreign
key is declared in batch mode, which SQLite needs to add a constraint).
"""
from alembic import op
import sqlalchemy as sa

revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tracking_links') as batch:
        batch.add_column(sa.Column('stop_buyer_org_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f('fk_tracking_links_stop_buyer_org_id_organisations'), 'organisations',
                                 ['stop_buyer_org_id'], ['id'])


def downgrade():
    with op.batch_alter_table('tracking_links') as batch:
        batch.drop_constraint(op.f('fk_tracking_links_stop_buyer_org_id_organisations'), type_='foreignkey')
        batch.drop_column('stop_buyer_org_id')
