"""lettings: one live application per household, as a database guarantee

Revision ID: lettings_0002
Revises: lettings_0001
Create Date: 2026-12-04

A partial UNIQUE index over ``lettings_application.household_id`` where the status is live (new,
active, under review, suspended): two terminals making an application for the same household at once
cannot both succeed, whatever the service checks first. Before creating it, the upgrade looks for
households that already have two live applications and stops, naming them, so a council resolves them
(cancel one with a reason) rather than losing either.
"""

import sqlalchemy as sa
from alembic import op

revision = "lettings_0002"
down_revision = "lettings_0001"
branch_labels = None
depends_on = None

LIVE = "status IN ('new', 'active', 'under_review', 'suspended')"


def upgrade() -> None:
    doubles = op.get_bind().execute(sa.text(
        f"SELECT household_id, COUNT(*) FROM lettings_application WHERE {LIVE} GROUP BY household_id "
        "HAVING COUNT(*) > 1")).all()
    if doubles:
        names = ", ".join(f"household id {row[0]} ({row[1]} live)" for row in doubles[:10])
        raise RuntimeError(f"lettings_0002: one live application per household, but {names}; cancel the extra "
                           "applications (duty-tui lettings application status REF cancelled --reason …) and upgrade again")
    op.create_index("ux_lettings_application_live", "lettings_application", ["household_id"], unique=True,
                    sqlite_where=sa.text(LIVE), postgresql_where=sa.text(LIVE))


def downgrade() -> None:
    op.drop_index("ux_lettings_application_live", table_name="lettings_application")
