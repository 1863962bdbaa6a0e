"""settlement: rate agreements, freight bills and lines, payments, disputes, statements; who pays the freight

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 10:20:10.422911
"""
from alembic import op
import sqlalchemy as sa
import server.db.types
from sqlalchemy.dialects import postgresql

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('freight_statements',
    sa.Column('carrier_org_id', sa.Integer(), nullable=False),
    sa.Column('payer_org_id', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('opening_balance', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('invoiced', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('credited', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('paid', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('closing_balance', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('documents', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('carrier_confirmed_at', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('payer_confirmed_at', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('differences', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['carrier_org_id'], ['organisations.id'], name=op.f('fk_freight_statements_carrier_org_id_organisations')),
    sa.ForeignKeyConstraint(['payer_org_id'], ['organisations.id'], name=op.f('fk_freight_statements_payer_org_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_freight_statements'))
    )
    with op.batch_alter_table('freight_statements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_freight_statements_carrier_org_id'), ['carrier_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_freight_statements_payer_org_id'), ['payer_org_id'], unique=False)

    op.create_table('freight_statement_lines',
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=100), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('load_reference', sa.String(length=100), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['statement_id'], ['freight_statements.id'], name=op.f('fk_freight_statement_lines_statement_id_freight_statements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_freight_statement_lines'))
    )
    with op.batch_alter_table('freight_statement_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_freight_statement_lines_statement_id'), ['statement_id'], unique=False)

    op.create_table('rate_agreements',
    sa.Column('payer_org_id', sa.Integer(), nullable=False),
    sa.Column('carrier_org_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('origin_site_id', sa.Integer(), nullable=True),
    sa.Column('origin_region', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('destination_site_id', sa.Integer(), nullable=True),
    sa.Column('destination_region', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('equipment', sa.String(length=30), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=False),
    sa.Column('basis', sa.String(length=10), nullable=False),
    sa.Column('rate', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('minimum', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('fuel_pct', sa.Numeric(precision=9, scale=4), nullable=True),
    sa.Column('fuel_index', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('accessorials', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('tax_rate_pct', sa.Numeric(precision=9, scale=4), nullable=False),
    sa.Column('billing', sa.String(length=10), nullable=False),
    sa.Column('self_billing', sa.Boolean(), nullable=False),
    sa.Column('tolerance_pct', sa.Numeric(precision=9, scale=4), nullable=False),
    sa.Column('tolerance_amount', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['carrier_org_id'], ['organisations.id'], name=op.f('fk_rate_agreements_carrier_org_id_organisations')),
    sa.ForeignKeyConstraint(['destination_site_id'], ['sites.id'], name=op.f('fk_rate_agreements_destination_site_id_sites')),
    sa.ForeignKeyConstraint(['origin_site_id'], ['sites.id'], name=op.f('fk_rate_agreements_origin_site_id_sites')),
    sa.ForeignKeyConstraint(['payer_org_id'], ['organisations.id'], name=op.f('fk_rate_agreements_payer_org_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rate_agreements'))
    )
    with op.batch_alter_table('rate_agreements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rate_agreements_carrier_org_id'), ['carrier_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rate_agreements_payer_org_id'), ['payer_org_id'], unique=False)

    op.create_table('freight_bills',
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('number', sa.String(length=60), nullable=False),
    sa.Column('carrier_org_id', sa.Integer(), nullable=False),
    sa.Column('payer_org_id', sa.Integer(), nullable=False),
    sa.Column('issued_by', sa.String(length=10), nullable=False),
    sa.Column('load_id', sa.Integer(), nullable=True),
    sa.Column('agreement_id', sa.Integer(), nullable=True),
    sa.Column('credit_for_id', sa.Integer(), nullable=True),
    sa.Column('period_start', sa.Date(), nullable=True),
    sa.Column('period_end', sa.Date(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('net', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('tax', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('total', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('taxes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('credited', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('paid', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('issued_at', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('approved_at', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('approved_by_user_id', sa.Integer(), nullable=True),
    sa.Column('audit', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['rate_agreements.id'], name=op.f('fk_freight_bills_agreement_id_rate_agreements')),
    sa.ForeignKeyConstraint(['approved_by_user_id'], ['users.id'], name=op.f('fk_freight_bills_approved_by_user_id_users')),
    sa.ForeignKeyConstraint(['carrier_org_id'], ['organisations.id'], name=op.f('fk_freight_bills_carrier_org_id_organisations')),
    sa.ForeignKeyConstraint(['credit_for_id'], ['freight_bills.id'], name=op.f('fk_freight_bills_credit_for_id_freight_bills')),
    sa.ForeignKeyConstraint(['load_id'], ['loads.id'], name=op.f('fk_freight_bills_load_id_loads')),
    sa.ForeignKeyConstraint(['payer_org_id'], ['organisations.id'], name=op.f('fk_freight_bills_payer_org_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_freight_bills')),
    sa.UniqueConstraint('carrier_org_id', 'number', name=op.f('uq_freight_bills_carrier_org_id_number'))
    )
    with op.batch_alter_table('freight_bills', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_freight_bills_carrier_org_id'), ['carrier_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_freight_bills_credit_for_id'), ['credit_for_id'], unique=False)
        batch_op.create_index('ix_freight_bills_parties', ['payer_org_id', 'carrier_org_id', 'currency', 'issued_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_freight_bills_payer_org_id'), ['payer_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_freight_bills_status'), ['status'], unique=False)
        batch_op.create_index('uq_freight_bills_load_invoice', ['load_id'], unique=True, postgresql_where=sa.text("kind = 'invoice' AND load_id IS NOT NULL"), sqlite_where=sa.text("kind = 'invoice' AND load_id IS NOT NULL"))

    op.create_table('freight_bill_lines',
    sa.Column('bill_id', sa.Integer(), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('load_id', sa.Integer(), nullable=True),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('tax_rate_pct', sa.Numeric(precision=9, scale=4), nullable=False),
    sa.Column('evidence', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('notes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('credit_for_line_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bill_id'], ['freight_bills.id'], name=op.f('fk_freight_bill_lines_bill_id_freight_bills'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['load_id'], ['loads.id'], name=op.f('fk_freight_bill_lines_load_id_loads')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_freight_bill_lines')),
    sa.UniqueConstraint('bill_id', 'line_no', name=op.f('uq_freight_bill_lines_bill_id_line_no'))
    )
    with op.batch_alter_table('freight_bill_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_freight_bill_lines_load_id'), ['load_id'], unique=False)

    op.create_table('freight_payments',
    sa.Column('bill_id', sa.Integer(), nullable=False),
    sa.Column('carrier_org_id', sa.Integer(), nullable=False),
    sa.Column('payer_org_id', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_user_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bill_id'], ['freight_bills.id'], name=op.f('fk_freight_payments_bill_id_freight_bills')),
    sa.ForeignKeyConstraint(['carrier_org_id'], ['organisations.id'], name=op.f('fk_freight_payments_carrier_org_id_organisations')),
    sa.ForeignKeyConstraint(['payer_org_id'], ['organisations.id'], name=op.f('fk_freight_payments_payer_org_id_organisations')),
    sa.ForeignKeyConstraint(['recorded_by_user_id'], ['users.id'], name=op.f('fk_freight_payments_recorded_by_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_freight_payments'))
    )
    with op.batch_alter_table('freight_payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_freight_payments_bill_id'), ['bill_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_freight_payments_carrier_org_id'), ['carrier_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_freight_payments_paid_on'), ['paid_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_freight_payments_payer_org_id'), ['payer_org_id'], unique=False)

    op.create_table('freight_disputes',
    sa.Column('bill_id', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=False),
    sa.Column('carrier_org_id', sa.Integer(), nullable=False),
    sa.Column('payer_org_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=2000), nullable=False),
    sa.Column('claimed_amount', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('evidence', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('resolution_note', sa.String(length=2000), nullable=False),
    sa.Column('credit_note_id', sa.Integer(), nullable=True),
    sa.Column('opened_by_user_id', sa.Integer(), nullable=True),
    sa.Column('resolved_at', server.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bill_id'], ['freight_bills.id'], name=op.f('fk_freight_disputes_bill_id_freight_bills')),
    sa.ForeignKeyConstraint(['carrier_org_id'], ['organisations.id'], name=op.f('fk_freight_disputes_carrier_org_id_organisations')),
    sa.ForeignKeyConstraint(['credit_note_id'], ['freight_bills.id'], name=op.f('fk_freight_disputes_credit_note_id_freight_bills')),
    sa.ForeignKeyConstraint(['line_id'], ['freight_bill_lines.id'], name=op.f('fk_freight_disputes_line_id_freight_bill_lines')),
    sa.ForeignKeyConstraint(['opened_by_user_id'], ['users.id'], name=op.f('fk_freight_disputes_opened_by_user_id_users')),
    sa.ForeignKeyConstraint(['payer_org_id'], ['organisations.id'], name=op.f('fk_freight_disputes_payer_org_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_freight_disputes'))
    )
    with op.batch_alter_table('freight_disputes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_freight_disputes_bill_id'), ['bill_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_freight_disputes_carrier_org_id'), ['carrier_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_freight_disputes_payer_org_id'), ['payer_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_freight_disputes_status'), ['status'], unique=False)

    op.create_table('freight_dispute_comments',
    sa.Column('dispute_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.String(length=2000), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['dispute_id'], ['freight_disputes.id'], name=op.f('fk_freight_dispute_comments_dispute_id_freight_disputes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_freight_dispute_comments_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_freight_dispute_comments_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_freight_dispute_comments'))
    )
    with op.batch_alter_table('freight_dispute_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_freight_dispute_comments_dispute_id'), ['dispute_id'], unique=False)

    with op.batch_alter_table('loads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('freight_payer', sa.String(length=10), server_default='seller', nullable=False))

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('freight_payer', sa.String(length=10), server_default='seller', nullable=False))




def downgrade():

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('freight_payer')

    with op.batch_alter_table('loads', schema=None) as batch_op:
        batch_op.drop_column('freight_payer')

    with op.batch_alter_table('freight_dispute_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_freight_dispute_comments_dispute_id'))

    op.drop_table('freight_dispute_comments')
    with op.batch_alter_table('freight_disputes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_freight_disputes_status'))
        batch_op.drop_index(batch_op.f('ix_freight_disputes_payer_org_id'))
        batch_op.drop_index(batch_op.f('ix_freight_disputes_carrier_org_id'))
        batch_op.drop_index(batch_op.f('ix_freight_disputes_bill_id'))

    op.drop_table('freight_disputes')
    with op.batch_alter_table('freight_payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_freight_payments_payer_org_id'))
        batch_op.drop_index(batch_op.f('ix_freight_payments_paid_on'))
        batch_op.drop_index(batch_op.f('ix_freight_payments_carrier_org_id'))
        batch_op.drop_index(batch_op.f('ix_freight_payments_bill_id'))

    op.drop_table('freight_payments')
    with op.batch_alter_table('freight_bill_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_freight_bill_lines_load_id'))

    op.drop_table('freight_bill_lines')
    with op.batch_alter_table('freight_bills', schema=None) as batch_op:
        batch_op.drop_index('uq_freight_bills_load_invoice', postgresql_where=sa.text("kind = 'invoice' AND load_id IS NOT NULL"), sqlite_where=sa.text("kind = 'invoice' AND load_id IS NOT NULL"))
        batch_op.drop_index(batch_op.f('ix_freight_bills_status'))
        batch_op.drop_index(batch_op.f('ix_freight_bills_payer_org_id'))
        batch_op.drop_index('ix_freight_bills_parties')
        batch_op.drop_index(batch_op.f('ix_freight_bills_credit_for_id'))
        batch_op.drop_index(batch_op.f('ix_freight_bills_carrier_org_id'))

    op.drop_table('freight_bills')
    with op.batch_alter_table('rate_agreements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rate_agreements_payer_org_id'))
        batch_op.drop_index(batch_op.f('ix_rate_agreements_carrier_org_id'))

    op.drop_table('rate_agreements')
    with op.batch_alter_table('freight_statement_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_freight_statement_lines_statement_id'))

    op.drop_table('freight_statement_lines')
    with op.batch_alter_table('freight_statements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_freight_statements_payer_org_id'))
        batch_op.drop_index(batch_op.f('ix_freight_statements_carrier_org_id'))

    op.drop_table('freight_statements')

