"""organisations inside: custom roles, departments, approval chains, independent inspectors

Revision ID: 0026
Revises: 0010
Create Date: 2026-12-07 13:15:00

- custom_roles: roles an organisation composes from the permission catalogue.
- departments (a tree per organisation) and department_members; orders, loads (one per side) and
  sites may belong to a department.
- api_tokens.permissions: a token's subset of its roles' permissions.
- approval_rules, approval_requests, approval_decisions, approval_delegations;
  pickup_authorizations.approval_status.
- inspection_appointments; evidence_items.inspector_org_id (the independent party that recorded it).
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

import server.db.types

revision = '0026'
down_revision = '0016'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def _base(name):
    return [sa.Column('id', sa.Integer(), nullable=False),
            sa.Column('created_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint('id', name=f'pk_{name}')]


def _fk(table, column, target):
    return sa.ForeignKeyConstraint([column], [f'{target}.id'], name=f'fk_{table}_{column}_{target}')


def _org(table):
    return sa.Column('organisation_id', sa.Integer(), nullable=False), _fk(table, 'organisation_id', 'organisations')


def _add_reference(table, column, target):
    """A nullable column referring to ``target``. SQLite adds it in place: a batch copy of a spatial table
    trips SpatiaLite's RenameTable over foreign keys, and SQLite's ALTER cannot add a constraint."""
    op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
    if op.get_bind().dialect.name == 'postgresql':
        op.create_foreign_key(f'fk_{table}_{column}_{target}', table, target, [column], ['id'])


def _drop_column(table, column):
    """SQLite drops a column in place (3.35+), for the same SpatiaLite reason as above."""
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_column(table, column)
    else:
        op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')


def _drop_reference(table, column, target):
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_constraint(f'fk_{table}_{column}_{target}', table, type_='foreignkey')
    _drop_column(table, column)


def upgrade():
    op.create_table('custom_roles', *_base('custom_roles'), *_org('custom_roles'),
                    sa.Column('name', sa.String(60), nullable=False),
                    sa.Column('description', sa.String(300), nullable=False),
                    sa.Column('permissions', JSON, nullable=False),
                    sa.Column('created_by_user_id', sa.Integer(), nullable=True),
                    _fk('custom_roles', 'created_by_user_id', 'users'),
                    sa.UniqueConstraint('organisation_id', 'name', name='uq_custom_roles_organisation_id_name'))
    op.create_table('departments', *_base('departments'), *_org('departments'),
                    sa.Column('name', sa.String(200), nullable=False),
                    sa.Column('parent_id', sa.Integer(), nullable=True),
                    _fk('departments', 'parent_id', 'departments'),
                    sa.UniqueConstraint('organisation_id', 'name', name='uq_departments_organisation_id_name'))
    op.create_table('department_members', *_base('department_members'),
                    sa.Column('department_id', sa.Integer(), nullable=False),
                    sa.Column('user_id', sa.Integer(), nullable=False),
                    _fk('department_members', 'department_id', 'departments'),
                    _fk('department_members', 'user_id', 'users'),
                    sa.UniqueConstraint('department_id', 'user_id', name='uq_department_members_department_id_user_id'))
    op.create_table('approval_rules', *_base('approval_rules'), *_org('approval_rules'),
                    sa.Column('name', sa.String(200), nullable=False),
                    sa.Column('action', sa.String(40), nullable=False),
                    sa.Column('metric', sa.String(20), nullable=False),
                    sa.Column('threshold', sa.Float(), nullable=False),
                    sa.Column('levels', JSON, nullable=False),
                    sa.Column('active', sa.Boolean(), nullable=False))
    op.create_table('approval_requests', *_base('approval_requests'), *_org('approval_requests'),
                    sa.Column('rule_id', sa.Integer(), nullable=False),
                    sa.Column('object_type', sa.String(40), nullable=False),
                    sa.Column('object_id', sa.Integer(), nullable=False),
                    sa.Column('load_id', sa.Integer(), nullable=True),
                    sa.Column('requested_by_user_id', sa.Integer(), nullable=True),
                    sa.Column('status', sa.String(20), nullable=False),
                    sa.Column('level', sa.Integer(), nullable=False),
                    sa.Column('levels', JSON, nullable=False),
                    sa.Column('measured', sa.Float(), nullable=False),
                    sa.Column('decided_at', server.db.types.UTCDateTime(timezone=True), nullable=True),
                    sa.Column('reminded_at', server.db.types.UTCDateTime(timezone=True), nullable=True),
                    _fk('approval_requests', 'rule_id', 'approval_rules'),
                    _fk('approval_requests', 'load_id', 'loads'),
                    _fk('approval_requests', 'requested_by_user_id', 'users'))
    op.create_table('approval_decisions', *_base('approval_decisions'),
                    sa.Column('request_id', sa.Integer(), nullable=False),
                    sa.Column('level', sa.Integer(), nullable=False),
                    sa.Column('user_id', sa.Integer(), nullable=False),
                    sa.Column('on_behalf_of_user_id', sa.Integer(), nullable=True),
                    sa.Column('decision', sa.String(10), nullable=False),
                    sa.Column('comment', sa.String(500), nullable=False),
                    _fk('approval_decisions', 'request_id', 'approval_requests'),
                    _fk('approval_decisions', 'user_id', 'users'),
                    sa.ForeignKeyConstraint(['on_behalf_of_user_id'], ['users.id'],
                                            name='fk_approval_decisions_on_behalf_of_user_id_users'))
    op.create_table('approval_delegations', *_base('approval_delegations'), *_org('approval_delegations'),
                    sa.Column('from_user_id', sa.Integer(), nullable=False),
                    sa.Column('to_user_id', sa.Integer(), nullable=False),
                    sa.Column('ends_at', server.db.types.UTCDateTime(timezone=True), nullable=False),
                    sa.Column('revoked_at', server.db.types.UTCDateTime(timezone=True), nullable=True),
                    _fk('approval_delegations', 'from_user_id', 'users'),
                    _fk('approval_delegations', 'to_user_id', 'users'))
    op.create_table('inspection_appointments', *_base('inspection_appointments'),
                    sa.Column('load_id', sa.Integer(), nullable=False),
                    sa.Column('inspector_org_id', sa.Integer(), nullable=False),
                    sa.Column('appointed_by_org_id', sa.Integer(), nullable=False),
                    sa.Column('appointed_by_user_id', sa.Integer(), nullable=True),
                    sa.Column('withdrawn_at', server.db.types.UTCDateTime(timezone=True), nullable=True),
                    _fk('inspection_appointments', 'load_id', 'loads'),
                    _fk('inspection_appointments', 'inspector_org_id', 'organisations'),
                    _fk('inspection_appointments', 'appointed_by_org_id', 'organisations'),
                    _fk('inspection_appointments', 'appointed_by_user_id', 'users'),
                    sa.UniqueConstraint('load_id', 'inspector_org_id',
                                        name='uq_inspection_appointments_load_id_inspector_org_id'))
    for table, columns in {
        'custom_roles': ['organisation_id'], 'departments': ['organisation_id', 'parent_id'],
        'department_members': ['department_id', 'user_id'], 'approval_rules': ['organisation_id'],
        'approval_requests': ['organisation_id', 'object_id', 'load_id', 'status'],
        'approval_decisions': ['request_id'],
        'approval_delegations': ['organisation_id', 'from_user_id', 'to_user_id'],
        'inspection_appointments': ['load_id', 'inspector_org_id', 'appointed_by_org_id'],
    }.items():
        for column in columns:
            op.create_index(f'ix_{table}_{column}', table, [column], unique=False)
    op.add_column('api_tokens', sa.Column('permissions', JSON, nullable=True))
    op.add_column('pickup_authorizations', sa.Column('approval_status', sa.String(20), nullable=True))
    _add_reference('evidence_items', 'inspector_org_id', 'organisations')
    for table in ('orders', 'loads'):
        _add_reference(table, 'seller_department_id', 'departments')
        _add_reference(table, 'buyer_department_id', 'departments')
    _add_reference('sites', 'department_id', 'departments')


def downgrade():
    _drop_reference('sites', 'department_id', 'departments')
    for table in ('loads', 'orders'):
        for column in ('buyer_department_id', 'seller_department_id'):
            _drop_reference(table, column, 'departments')
    _drop_reference('evidence_items', 'inspector_org_id', 'organisations')
    _drop_column('pickup_authorizations', 'approval_status')
    _drop_column('api_tokens', 'permissions')
    for table in ('inspection_appointments', 'approval_delegations', 'approval_decisions', 'approval_requests',
                  'approval_rules', 'department_members', 'departments', 'custom_roles'):
        op.drop_table(table)
