"""trust: drafts of forms in progress; a save key on contacts so a retried save posts once

Revision ID: trust_0001
Revises: 0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "trust_0001"
down_revision = "0001"
branch_labels = ("trust",)
depends_on = None

_S = sqlmodel.sql.sqltypes.AutoString
_T = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("draft_key", _S(length=64), nullable=False),
        sa.Column("kind", _S(length=32), nullable=False),
        sa.Column("title", _S(length=200), nullable=False),
        sa.Column("screen", _S(length=200), nullable=False),
        sa.Column("args", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("person_ref", _S(length=16), nullable=True),
        sa.Column("created_at", _T(), nullable=False),
        sa.Column("updated_at", _T(), nullable=False),
        sa.Column("terminal", _S(length=128), nullable=True),
        sa.ForeignKeyConstraint(["staff_id"], ["staff_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("staff_id", "draft_key", name="uq_draft_owner_key"),
    )
    op.create_index("ix_draft_staff_id", "draft", ["staff_id"], unique=False)
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.add_column(sa.Column("save_key", _S(length=64), nullable=True))
        batch_op.create_index("ux_contact_save_key", ["save_key"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index("ux_contact_save_key")
        batch_op.drop_column("save_key")
    op.drop_index("ix_draft_staff_id", table_name="draft")
    op.drop_table("draft")
