"""The income demo's court stories written as rows: court costs accounts and their charges, notices, protocol
steps with their evidence, benefit claims, UC managed payments, claims, hearings, evictions and the payments
that keep an order's terms (docs/INCOME_DEMO.md).

Core bulk inserts of dicts (executemany), a few thousand rows at a time; ids read back by account (each
account has at most one notice and one claim from the demo). Ledger rows are posted with the kept-balance
triggers live, as the payments demo posts its suspense items, so every balance stays the sum of its rows.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Connection, Table, insert, inspect, select

from duty_tui.areas.income.db.models import (
    ArrearsNotice,
    BenefitClaim,
    CourtHearing,
    Eviction,
    PossessionClaim,
    ProtocolStep,
)
from duty_tui.areas.income.demo_court import Story
from duty_tui.areas.income.demo_ledger import Ledger, Owing
from duty_tui.core.db.models import Account, LedgerEntry, table_of

BATCH = 5_000
CHUNK = 500
EVIDENCE = {
    "contact_made": ("Home visit {day}: spoke to the tenant at the door about the arrears and why they built up "
                     "(reduced hours at work).",
                     "Phone call {day}: discussed the arrears; the tenant says universal credit stopped after a "
                     "missed appointment.",
                     "Office interview {day} with the tenants: arrears and their cause discussed (a spell on "
                     "statutory sick pay)."),
    "statements_provided": ("Rent statement since the arrears began sent first class {day}, with the letter.",
                            "Full rent history and the quarterly statement emailed to the tenant {day}."),
    "payment_plan_offered": ("Income and expenditure taken by phone {day}; offered the rent and £5.00 a week "
                             "towards the arrears. No reply yet.",
                             "Payment plan offered {day} at the rent and £3.80 a week; "
                             "tenant agreed, then missed the first payment."),
    "benefits_help_offered": ("{day}: checked the universal credit housing element; helped the tenant report the "
                              "rent increase in the UC journal.",
                              "Referred to the welfare benefits team {day} for a housing benefit and discretionary "
                              "housing payment check."),
    "vulnerability_considered": ("Asked {day} about health, disability and support needs: none disclosed; no "
                                 "adjustments needed (Equality Act 2010 considered).",
                                 "{day}: tenant has depression; support worker involved and copied into letters "
                                 "with consent; no capacity concerns."),
    "advice_signposted": ("Citizens Advice and StepChange details given {day}; leaflet left at the visit.",
                          "Referred {day} to the council's money advice service; appointment booked."),
    "s14a_information": ("Letter {day}: the terms of the tenancy, the arrears and the rent due, with a statement.",),
    "s14a_benefits_help": ("{day}: helped with a housing benefit claim and a discretionary housing payment "
                           "application.",),
    "s14a_debt_advice": ("Debt advice details given {day} (Citizens Advice Scotland, National Debtline).",),
    "s14a_payment_plan": ("{day}: reasonable efforts to agree a payment plan: £5.00 a week offered, tenant to "
                          "confirm.",),
}
CLAIM_EVIDENCE = ("Universal credit housing costs claim made online {day}; tenancy agreement and rent letter "
                  "uploaded.", "Housing benefit claim form received {day} with payslips and bank statements.")
MANAGED_NOTES = {"approved": "DWP approved the managed payment of the housing element to the landlord",
                 "requested": "APA requested through the landlord portal: 2 months' rent owed",
                 "refused": "DWP refused: the tenant is managing their payments; to review in 3 months"}


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _insert(connection: Connection, table: Table, rows: list[dict]) -> int:
    for start in range(0, len(rows), BATCH):
        connection.execute(insert(table), rows[start:start + BATCH])
    return len(rows)


def _ids_by_account(connection: Connection, table: Table, accounts: Iterable[int]) -> dict[int, int]:
    wanted = sorted(set(accounts))
    out: dict[int, int] = {}
    for start in range(0, len(wanted), CHUNK):
        out.update((account_id, row_id) for account_id, row_id in connection.execute(
            select(table.c.account_id, table.c.id).where(table.c.account_id.in_(wanted[start:start + CHUNK]))))
    return out


def court_costs_accounts(connection: Connection) -> dict[int, tuple[int, date | None]]:
    """Tenancy -> (its court costs account, the day the account's first court costs charge was posted)."""
    account, ledger = table_of(Account).c, table_of(LedgerEntry).c
    rows = connection.execute(
        select(account.tenancy_id, account.id, ledger.effective_date)
        .join_from(table_of(Account), table_of(LedgerEntry),
                   (ledger.account_id == account.id) & (ledger.kind == "court_costs"), isouter=True)
        .where(account.account_type == "court_costs").order_by(account.id, ledger.effective_date)).all()
    out: dict[int, tuple[int, date | None]] = {}
    for tenancy_id, account_id, day in rows:
        out.setdefault(tenancy_id, (account_id, day))
    return out


def _new_costs_accounts(connection: Connection, stories: list[Story],
                        costs: dict[int, tuple[int, date | None]]) -> int:
    """A court costs account (CCTnnnnnn) for each tenancy with charges to post and none yet."""
    refs = connection.execute(select(table_of(Account).c.ref).where(
        table_of(Account).c.account_type == "court_costs")).scalars().all()
    number = max((int(r[3:]) for r in refs if r[3:].isdigit()), default=0)
    rows = []
    for story in stories:
        owing = story.owing
        if story.post_costs and story.claim is not None and owing.tenancy_id not in costs:
            number += 1
            rows.append({"ref": f"CCT{number:06d}", "account_type": "court_costs", "tenancy_id": owing.tenancy_id,
                         "person_id": owing.person_id, "holder_name": owing.holder[:120],
                         "opened_on": story.claim["issued_on"], "closed_on": None, "version": 1})
            costs[owing.tenancy_id] = (0, None)
    _insert(connection, table_of(Account), rows)
    if rows:
        found = connection.execute(select(table_of(Account).c.tenancy_id, table_of(Account).c.id).where(
            table_of(Account).c.ref.in_([r["ref"] for r in rows])))
        costs.update({tenancy: (account_id, None) for tenancy, account_id in found})
    return len(rows)


def _ledger_rows(stories: list[Story], costs: dict[int, tuple[int, date | None]], by: dict[int, int | None]
                 ) -> tuple[list[dict], list[dict]]:
    """(court costs charges, payments to the order's terms) as ledger rows; a claim's costs are posted once, as
    the court service posts them (one row on the day of issue, its external_id naming the rent account and day)."""
    charges, paid = [], []
    for story in stories:
        owing, claim = story.owing, story.claim
        if story.post_costs and claim is not None:
            day = claim["issued_on"]
            charges.append({"account_id": costs[owing.tenancy_id][0], "effective_date": day,
                            "posted_at": _at(day, 15), "kind": "court_costs", "method": None,
                            "amount_pence": claim["costs_pence"], "reference": claim["claim_number"],
                            "external_id": f"court-costs:{owing.ref}:{day.isoformat()}",
                            "created_by": by.get(owing.account_id), "terminal": "demo",
                            "reason": f"Possession claim issued {day:%d/%m/%Y}: court fee and costs"})
        for day, amount in story.paid:
            paid.append({"account_id": owing.account_id, "effective_date": day, "posted_at": _at(day, 6),
                         "kind": "payment", "method": "standing_order", "amount_pence": -amount,
                         "reference": f"SO {owing.ref} court order", "created_by": None, "terminal": None})
    return charges, paid


def write_stories(connection: Connection, rng: random.Random, stories: list[Story], names: dict[int, list[str]],
                  by: dict[int, int | None], *, court: str, now: datetime) -> dict[str, int]:
    """Every row of the stories but their recovery steps (the caller writes those with the rest); counts by kind."""
    costs = court_costs_accounts(connection)
    counts = {"court costs accounts": _new_costs_accounts(connection, stories, costs)}
    notices = [s for s in stories if s.notice is not None]
    counts["notices"] = _insert(connection, table_of(ArrearsNotice), [
        {**s.notice, "account_id": s.owing.account_id, "served_by": by.get(s.owing.account_id),  # type: ignore[dict-item]
         "tenants": "\n".join(names.get(s.owing.household_id) or [s.owing.holder]), "created_at": now, "version": 1}
        for s in notices])
    notice_ids = _ids_by_account(connection, table_of(ArrearsNotice), (s.owing.account_id for s in notices))
    counts["protocol steps"] = _insert(connection, table_of(ProtocolStep), [
        {"account_id": s.owing.account_id, "step": step, "done_on": day,
         "evidence": rng.choice(EVIDENCE[step]).format(day=f"{day:%d/%m/%Y}"),
         "recorded_by": by.get(s.owing.account_id), "created_at": _at(day, 16)}
        for s in stories for step, day in s.protocol])
    counts["benefit claims"] = _insert(connection, table_of(BenefitClaim), [
        {**s.benefit, "account_id": s.owing.account_id, "recorded_by": by.get(s.owing.account_id),
         "evidence": rng.choice(CLAIM_EVIDENCE).format(day=f"{s.benefit['made_on']:%d/%m/%Y}"),
         "created_at": _at(s.benefit["made_on"], 12), "version": 1}
        for s in stories if s.benefit is not None])
    claims = [s for s in stories if s.claim is not None]
    counts["possession claims"] = _insert(connection, table_of(PossessionClaim), [
        {"closed_on": None, "closed_reason": None, **s.claim, "account_id": s.owing.account_id,  # type: ignore[dict-item]
         "notice_id": notice_ids.get(s.owing.account_id), "court_name": court,
         "created_by": by.get(s.owing.account_id), "created_at": _at(s.claim["issued_on"], 14),  # type: ignore[index]
         "version": 1} for s in claims])
    claim_ids = _ids_by_account(connection, table_of(PossessionClaim), (s.owing.account_id for s in claims))
    counts["hearings"] = _insert(connection, table_of(CourtHearing), [
        {"outcome": None, "outcome_on": None, "terms_weekly_pence": None, "terms_text": None, "possession_on": None,
         **s.hearing, "claim_id": claim_ids[s.owing.account_id], "account_id": s.owing.account_id,
         "recorded_by": by.get(s.owing.account_id), "created_at": now, "version": 1}
        for s in claims if s.hearing is not None])
    counts["evictions"] = _insert(connection, table_of(Eviction), [
        {"outcome": None, "outcome_on": None, **s.eviction, "claim_id": claim_ids[s.owing.account_id],
         "account_id": s.owing.account_id, "recorded_by": by.get(s.owing.account_id), "created_at": now,
         "version": 1} for s in claims if s.eviction is not None])
    charges, paid = _ledger_rows(stories, costs, by)
    if "reason" not in {c["name"] for c in inspect(connection).get_columns("ledger_entry")}:
        charges = [{k: v for k, v in row.items() if k != "reason"} for row in charges]  # a build without payments
    counts["court costs charges"] = _insert(connection, table_of(LedgerEntry), charges)
    counts["payments to court orders"] = _insert(connection, table_of(LedgerEntry), paid)
    return counts


def managed_payments(rng: random.Random, owing: list[Owing], ledgers: dict[int, Ledger], today: date, *,
                     wanted: int, by: dict[int, int | None], now: datetime) -> list[dict]:
    """UC managed payments (alternative payment arrangements): approved where the ledger shows UC paid to the
    landlord, requested and refused where two months' rent is owed and none comes."""
    approved, asked = [], []
    for each in owing:
        book = ledgers.get(each.account_id)
        if book is None:
            continue
        if book.first_uc is not None:
            approved.append((each, book.first_uc))
        elif ((book.last_hb is None or book.last_hb < today - timedelta(weeks=8))
              and each.balance * 12 >= each.weekly * 52 * 2):
            asked.append(each)
    rows = []
    for each, first in approved[:wanted]:
        requested = first - timedelta(days=rng.randint(35, 56))
        rows.append(_managed(each, requested, "approved", first - timedelta(days=rng.randint(3, 14)), by, now))
    for index, each in enumerate(asked[:2 * wanted]):
        if index % 2 == 0:
            requested = today - timedelta(days=rng.randint(1, 21))
            rows.append(_managed(each, requested, "requested", requested, by, now))
        else:
            requested = today - timedelta(days=rng.randint(40, 90))
            rows.append(_managed(each, requested, "refused", requested + timedelta(days=rng.randint(14, 28)), by,
                                 now))
    return rows


def _managed(owing: Owing, requested: date, state: str, state_on: date, by: dict[int, int | None],
             now: datetime) -> dict:
    return {"account_id": owing.account_id, "requested_on": requested, "state": state, "state_on": state_on,
            "note": MANAGED_NOTES[state], "recorded_by": by.get(owing.account_id), "created_at": now, "version": 1}


def pending_claims(rng: random.Random, pauses: list[dict], kinds: dict[int, str]) -> list[dict]:
    """A pending benefit claim behind every demo pause for one (the pause's reason is the claim)."""
    rows = []
    for pause in pauses:
        if pause["reason"] != "benefit_claim_pending":
            continue
        made = pause["set_at"].date() - timedelta(days=rng.randint(1, 10))
        rows.append({"account_id": pause["account_id"], "kind": kinds.get(pause["account_id"], "universal_credit"),
                     "made_on": made, "evidence": rng.choice(CLAIM_EVIDENCE).format(day=f"{made:%d/%m/%Y}"),
                     "decided_on": None, "outcome": None, "recorded_by": pause["set_by"], "created_at": pause["set_at"],
                     "version": 1})
    return rows
