"""roles held within a department

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-07 18:30:00

- department_members.roles: the role names (built-in or custom) a member holds in that department only;
  they grant their permissions on the department's objects and those of the departments below it.
  Every existing membership holds none ('[]').
Plain ADD COLUMN with a constant default on both backends (in place on SQLite, a catalogue change on
PostgreSQL).
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('department_members', sa.Column('roles',
                                                  sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()),
                                                                         'postgresql'),
                                                  nullable=False, server_default=sa.text("'[]'")))


def downgrade():
    with op.batch_alter_table('department_members') as batch:
        batch.drop_column('roles')
