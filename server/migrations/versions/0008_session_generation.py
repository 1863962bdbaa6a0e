"""session generation: signing out and password changes end a user's sessions

Revision ID: 0008
Revises: 0010
Create Date: 2026-12-07 13:15:00

- users.session_generation: a dashboard session cookie carries the generation it was signed in
  with; signing out or a password change bumps it, so every older cookie stops working.
"""
from alembic import op
import sqlalchemy as sa

revision = '0008'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('users') as batch:
        batch.drop_column('session_generation')
