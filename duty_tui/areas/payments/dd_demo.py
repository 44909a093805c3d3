"""Direct debit demo rows: mandates on some rent accounts (most active, one paused, one cancelled), each
with its history and its first collection's advance notice sent, so the Direct debits screen and
`dd notices`/`dd collect` have something to show. No ledger rows: the first collections fall after the
demo's today, and are taken by `dd collect` (docs/RENTS_DIRECT_DEBIT.md).

Its own random generator, so the payments demo's other rows stay as they were for a seed.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time

from sqlalchemy import insert, select

from duty_tui.areas.payments.db.dd_models import DirectDebitMandate, DirectDebitMandateEvent, DirectDebitNotice
from duty_tui.areas.payments.domain.bacs_calendar import ADVANCE_NOTICE_WORKING_DAYS, bacs_calendar, notice_by
from duty_tui.core.db.models import Account, table_of
from duty_tui.core.domain.clocks import add_months

WANTED = {"small": 8, "office": 40, "council": 400}
# Sort codes and account numbers that pass the modulus check (Vocalink's published test cases).
BANKS = (("089999", "66374958"), ("107999", "88837491"), ("202959", "63748472"), ("200915", "41011166"),
         ("118765", "64371389"), ("134020", "63849203"), ("827101", "28748352"), ("938611", "07806039"))


def _first_collection(today: date, day: int) -> date:
    """The first day ``day`` of a month whose advance notice could still be sent today."""
    earliest = bacs_calendar().add_working_days(today, ADVANCE_NOTICE_WORKING_DAYS)
    wanted = date(today.year, today.month, day)
    while wanted < earliest:
        wanted = add_months(wanted, 1)
    return wanted


def generate_direct_debits(connection, *, seed: int, today: date, size: str, creator: int | None) -> int:
    """Add demo mandates to rent accounts that have none; returns how many."""
    rng = random.Random(f"duty-tui demo/{seed}/direct debits")
    mandate_table, account_table = table_of(DirectDebitMandate), table_of(Account)
    at = datetime.combine(today, time(9, 0), tzinfo=UTC)
    if connection.execute(select(mandate_table.c.id).where(mandate_table.c.created_at == at).limit(1)).first():
        return 0
    a = account_table.c
    # Accounts with a mandate already (the latest weeks' collections, dd_demo_history) are left out.
    accounts = connection.execute(select(a.id, a.ref, a.holder_name)
                                  .where(a.account_type == "rent", a.closed_on.is_(None),
                                         a.id.not_in(select(mandate_table.c.account_id))).order_by(a.id)).all()
    chosen = rng.sample(accounts, min(WANTED.get(size, WANTED["office"]), len(accounts)))
    mandates = []
    for index, account in enumerate(chosen):
        sort_code, number = BANKS[index % len(BANKS)]
        day = rng.choice((1, 1, 1, 5, 15, 28))
        amount = rng.randrange(300, 600) * 100
        status = "paused" if index == 1 else "cancelled" if index == 2 else "active"
        name = "".join(ch for ch in account.holder_name.upper() if ch.isalnum() or ch in " .&/-")[:18].strip() or "PAYER"
        mandates.append({"account_id": account.id, "reference": f"{account.ref}DD", "payer_name": name,
                         "sort_code": sort_code, "account_number": number, "collection_day": day,
                         "basis": "charges", "amount_pence": amount, "top_up_pence": 500 if index % 4 == 3 else 0,
                         "status": status, "lodgement": None, "first_collection": _first_collection(today, day),
                         "collected_once": False, "created_at": at, "created_by": creator, "version": 1})
    if not mandates:
        return 0
    connection.execute(insert(mandate_table), mandates)
    ids = {row.reference: row.id for row in connection.execute(select(mandate_table.c.reference, mandate_table.c.id)
                                                               .where(mandate_table.c.created_at == at))}
    events, notices = [], []
    for m in mandates:
        mandate_id = ids[m["reference"]]
        pence = m["amount_pence"] + m["top_up_pence"]
        events.append({"mandate_id": mandate_id, "event": "added", "status": "active", "amount_pence": pence,
                       "collection_day": m["collection_day"], "at": at, "by": creator, "note": None})
        if m["status"] != "active":
            events.append({"mandate_id": mandate_id, "event": m["status"], "status": m["status"],
                           "amount_pence": pence, "collection_day": m["collection_day"], "at": at, "by": creator,
                           "note": "payer asked (demo)"})
        dates = notice_by(m["first_collection"])
        notices.append({"mandate_id": mandate_id, "kind": "first", "collection_date": dates.collection,
                        "amount_pence": pence, "notice_by": dates.notice_by, "sent_at": at, "sent_by": creator})
    connection.execute(insert(table_of(DirectDebitMandateEvent)), events)
    connection.execute(insert(table_of(DirectDebitNotice)), notices)
    return len(mandates)
