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


# Plain ALTER TABLE on both backends (SQLite >= 3.35 drops columns itself): a batch copy of ``users`` on
# SQLite would drop the table that every other table's foreign keys point at, which fails.


def upgrade():
    op.add_column('users', sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    op.drop_column('users', 'session_generation')
