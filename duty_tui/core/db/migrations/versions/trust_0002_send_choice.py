"""trust: how each terminal last sent each kind of document (printer, email, download, save)

Revision ID: trust_0002
Revises: trust_0001
Create Date: 2026-12-03
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "trust_0002"
down_revision = "trust_0001"
branch_labels = None
depends_on = None

_S = sqlmodel.sql.sqltypes.AutoString
_T = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "terminal_send_choice",
        sa.Column("terminal", _S(length=128), nullable=False),
        sa.Column("kind", _S(length=32), nullable=False),
        sa.Column("channel", _S(length=16), nullable=False),
        sa.Column("printer", _S(length=128), nullable=True),
        sa.Column("updated_at", _T(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["updated_by"], ["staff_user.id"]),
        sa.PrimaryKeyConstraint("terminal", "kind"),
    )


def downgrade() -> None:
    op.drop_table("terminal_send_choice")
