"""Issue 11 B10: F5 from a rent statement takes the payment for that rent account, not the first
account in ref order (court costs); with a person only, the rent account comes first."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from builders import NOW, seed_office
from pay_helpers import ctx_for
from pilot import build_app, human, quick_sign_in, wait_for
from sqlmodel import select

from duty_tui.areas.payments.services.accounts import find_payable_accounts
from duty_tui.areas.payments.tui.account import AccountScreen
from duty_tui.areas.payments.tui.payment import TakePaymentScreen
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Account, LedgerEntry, Person
from duty_tui.core.tui.screens.person import PersonScreen


def add_court_costs(engine) -> None:
    """Aisha Khan (P0000004, rent RNT000003) also owes court costs, on an account whose ref sorts first."""
    with session_scope(engine, write=True) as s:
        khan = s.exec(select(Person).where(Person.ref == "P0000004")).one()
        account = Account(ref="CCT000001", account_type="court_costs", person_id=khan.id, holder_name="Ms A Khan",
                          opened_on=date(2025, 6, 1))
        s.add(account)
        s.flush()
        s.add(LedgerEntry(account_id=account.id, effective_date=date(2025, 6, 1), posted_at=NOW - timedelta(days=200),
                          kind="court_costs", amount_pence=35500))


def test_a_persons_accounts_come_rent_first_and_an_asked_for_account_first(engine):
    seed_office(engine)
    add_court_costs(engine)
    ctx = ctx_for(engine)
    assert [a.ref for a in find_payable_accounts(ctx, person_ref="P0000004").accounts] == ["RNT000003", "CCT000001"]
    assert [a.ref for a in find_payable_accounts(ctx, query="CCT000001").accounts] == ["CCT000001", "RNT000003"]


@pytest.mark.sqlite_only  # a journey through the screens: the services under it run on both databases
async def test_f5_from_a_rent_statement_pays_that_rent_account(engine):
    seed_office(engine)
    add_court_costs(engine)
    app = build_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await quick_sign_in(app, pilot)
        app.push_screen(PersonScreen("P0000004"))
        assert await wait_for(app, pilot, lambda: app.screen.query("#accounts-table")
                              and app.screen.query_one("#accounts-table").row_count == 2)
        await human(pilot, "3")  # the Accounts tab: court costs first (ref order), then rent
        table = app.screen.query_one("#accounts-table")
        rows = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        await human(pilot, *["down"] * rows.index("RNT000003"), "enter")
        assert await wait_for(app, pilot, lambda: isinstance(app.screen, AccountScreen))
        assert app.screen.account_ref == "RNT000003"

        await human(pilot, "f5")
        assert await wait_for(app, pilot, lambda: isinstance(app.screen, TakePaymentScreen)
                              and app.screen.highlighted() is not None)
        paying = app.screen.highlighted()
        assert paying.ref == "RNT000003", f"F5 from the rent statement would pay {paying.ref}"
        assert "Paying RNT000003 (Rent)" in str(app.screen.query_one("#pay-paying").render())
