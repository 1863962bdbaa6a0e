"""route commitments and multi-drop loads: vehicles.route_end, load_stops, one proof of delivery per stop

Revision ID: 0022
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

import server.db.types

revision = "0022"
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("vehicles") as batch:
        batch.add_column(sa.Column("route_end", sa.String(length=10), server_default="depot", nullable=False))
    op.create_table(
        "load_stops",
        sa.Column("load_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("buyer_org_id", sa.Integer(), nullable=True),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("earliest", server.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("latest", server.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("weight_kg", sa.Float(), nullable=False),
        sa.Column("pallets", sa.Float(), nullable=False),
        sa.Column("eta", server.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", server.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["load_id"], ["loads.id"], name=op.f("fk_load_stops_load_id_loads")),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_load_stops_site_id_sites")),
        sa.ForeignKeyConstraint(["buyer_org_id"], ["organisations.id"],
                                name=op.f("fk_load_stops_buyer_org_id_organisations")),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_load_stops_order_id_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_load_stops")),
        sa.UniqueConstraint("load_id", "seq", name=op.f("uq_load_stops_load_id_seq")),
    )
    op.create_index(op.f("ix_load_stops_load_id"), "load_stops", ["load_id"])
    op.create_index(op.f("ix_load_stops_buyer_org_id"), "load_stops", ["buyer_org_id"])
    op.create_index(op.f("ix_load_stops_order_id"), "load_stops", ["order_id"])
    with op.batch_alter_table("proofs_of_delivery") as batch:
        batch.add_column(sa.Column("stop_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_proofs_of_delivery_stop_id_load_stops"), "load_stops", ["stop_id"], ["id"])
        batch.drop_constraint("uq_proofs_of_delivery_load_id", type_="unique")
    op.create_index(op.f("ix_proofs_of_delivery_load_id"), "proofs_of_delivery", ["load_id"])
    op.create_index("uq_proofs_of_delivery_load_stop", "proofs_of_delivery",
                    ["load_id", sa.text("coalesce(stop_id, 0)")], unique=True)


def downgrade():
    op.drop_index("uq_proofs_of_delivery_load_stop", table_name="proofs_of_delivery")
    op.drop_index(op.f("ix_proofs_of_delivery_load_id"), table_name="proofs_of_delivery")
    with op.batch_alter_table("proofs_of_delivery") as batch:
        batch.create_unique_constraint("uq_proofs_of_delivery_load_id", ["load_id"])
        batch.drop_constraint(op.f("fk_proofs_of_delivery_stop_id_load_stops"), type_="foreignkey")
        batch.drop_column("stop_id")
    op.drop_index(op.f("ix_load_stops_order_id"), table_name="load_stops")
    op.drop_index(op.f("ix_load_stops_buyer_org_id"), table_name="load_stops")
    op.drop_index(op.f("ix_load_stops_load_id"), table_name="load_stops")
    op.drop_table("load_stops")
    with op.batch_alter_table("vehicles") as batch:
        batch.drop_column("route_end")
