"""income: notices, the pre-action protocol, benefit claims, managed payments, the court

Revision ID: income_0002
Revises: income_0001
Create Date: 2026-12-04

Seven new tables (docs/INCOME.md): ``arrears_notice`` (NOSP / s128 / s14 notices served, with the
dates the law engine gave them), ``protocol_step`` (each pre-action step done, with its day and
evidence), ``benefit_claim`` (pending while undecided), ``managed_payment`` (Universal Credit
alternative payment arrangements), ``possession_claim``, ``court_hearing`` and ``eviction``. All new,
so there are no existing rows to check.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.schema import SchemaItem
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision = "income_0002"
down_revision = "income_0001"
branch_labels = None
depends_on = None

_S = AutoString
_T = UTCDateTime


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), nullable=False)


def _account() -> list[SchemaItem]:
    return [sa.Column("account_id", sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint(["account_id"], ["account.id"])]


def _staff(name: str) -> list[SchemaItem]:
    return [sa.Column(name, sa.Integer(), nullable=True), sa.ForeignKeyConstraint([name], ["staff_user.id"])]


def _stamp(*, versioned: bool = True) -> list[SchemaItem]:
    items: list[SchemaItem] = [sa.Column("created_at", _T(), nullable=False), sa.PrimaryKeyConstraint("id")]
    if versioned:
        items.append(sa.Column("version", sa.Integer(), nullable=False))
    return items


def _date(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.Date(), nullable=nullable)


def _notices() -> None:
    op.create_table(
        "arrears_notice", _id(), *_account(),
        sa.Column("kind", _S(length=10), nullable=False), _date("served_on", False),
        sa.Column("method", _S(length=30), nullable=False), *_staff("served_by"),
        _date("proceedings_from", False), _date("lapses_on"), _date("review_by"), _date("review_requested_on"),
        _date("review_decided_on"), sa.Column("review_outcome", _S(length=20), nullable=True),
        _date("la_notified_on"), sa.Column("arrears_pence", sa.Integer(), nullable=False),
        sa.Column("weekly_rent_pence", sa.Integer(), nullable=False),
        sa.Column("tenants", sa.Text(), nullable=False), sa.Column("particulars", sa.Text(), nullable=True),
        _date("withdrawn_on"), *_stamp())
    op.create_index("ix_arrears_notice_account", "arrears_notice", ["account_id", "served_on"])
    op.create_table(
        "protocol_step", _id(), *_account(), sa.Column("step", _S(length=40), nullable=False),
        _date("done_on", False), sa.Column("evidence", sa.Text(), nullable=False), *_staff("recorded_by"),
        *_stamp(versioned=False))
    op.create_index("ix_protocol_step_account", "protocol_step", ["account_id", "step"])
    op.create_table(
        "benefit_claim", _id(), *_account(), sa.Column("kind", _S(length=20), nullable=False),
        _date("made_on", False), sa.Column("evidence", sa.Text(), nullable=True), _date("decided_on"),
        sa.Column("outcome", _S(length=20), nullable=True), *_staff("recorded_by"), *_stamp())
    op.create_index("ix_benefit_claim_account", "benefit_claim", ["account_id"])
    op.create_table(
        "managed_payment", _id(), *_account(), _date("requested_on", False),
        sa.Column("state", _S(length=20), nullable=False), _date("state_on", False),
        sa.Column("note", sa.Text(), nullable=True), *_staff("recorded_by"), *_stamp())
    op.create_index("ix_managed_payment_account", "managed_payment", ["account_id"])


def _court() -> None:
    op.create_table(
        "possession_claim", _id(), *_account(), sa.Column("notice_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["notice_id"], ["arrears_notice.id"]), _date("issued_on", False),
        sa.Column("claim_number", _S(length=20), nullable=True), sa.Column("court_name", _S(length=80), nullable=True),
        sa.Column("costs_pence", sa.Integer(), nullable=False), _date("closed_on"),
        sa.Column("closed_reason", _S(length=40), nullable=True), *_staff("created_by"), *_stamp())
    op.create_index("ix_possession_claim_account", "possession_claim", ["account_id"])
    op.create_table(
        "court_hearing", _id(), sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["possession_claim.id"]), *_account(), _date("hearing_on", False),
        sa.Column("outcome", _S(length=40), nullable=True), _date("outcome_on"),
        sa.Column("terms_weekly_pence", sa.Integer(), nullable=True), sa.Column("terms_text", sa.Text(), nullable=True),
        _date("possession_on"), *_staff("recorded_by"), *_stamp())
    op.create_index("ix_court_hearing_account", "court_hearing", ["account_id", "hearing_on"])
    op.create_index("ix_court_hearing_on", "court_hearing", ["hearing_on"])
    op.create_table(
        "eviction", _id(), sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["possession_claim.id"]), *_account(),
        _date("warrant_applied_on", False), _date("eviction_on"), sa.Column("outcome", _S(length=40), nullable=True),
        _date("outcome_on"), *_staff("recorded_by"), *_stamp())
    op.create_index("ix_eviction_account", "eviction", ["account_id", "eviction_on"])
    op.create_index("ix_eviction_on", "eviction", ["eviction_on"])


def upgrade() -> None:
    _notices()
    _court()


def downgrade() -> None:
    for table in ("eviction", "court_hearing", "possession_claim", "managed_payment", "benefit_claim",
                  "protocol_step", "arrears_notice"):
        op.drop_table(table)
