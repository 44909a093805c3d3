"""Void rent loss in the reconciliation (docs/RENTS_RECONCILIATION.md, "Void rent loss"), SQLite and
PostgreSQL: a property empty for part of a week after a real debit run shows its rent_void_loss beside the
lines of its rent group, is never in the balance identity, lists its rows, and is a row of reconciliation.csv."""

from __future__ import annotations

import csv
from datetime import date

from builders import NOW, seed_office
from sqlalchemy import text

from duty_tui.areas.rents.domain.recon import LINES, VOID_LOSS
from duty_tui.areas.rents.services.charges import seed_basic_rent
from duty_tui.areas.rents.services.debit import run_debit
from duty_tui.areas.rents.services.reconciliation import figure_rows, rent_reconciliation
from duty_tui.areas.rents.services.rent_report import write_rents_report
from duty_tui.core.config.settings import Settings
from duty_tui.core.db.engine import session_scope
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import ServiceContext

MONDAY, THROUGH = date(2026, 3, 2), date(2026, 3, 10)  # the weeks of 2 and 9 March
FROM, TO = date(2026, 3, 9), date(2026, 3, 15)


def ctx_for(engine, username: str) -> ServiceContext:
    ctx = ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal="test-terminal", clock=lambda: NOW)
    return ctx.as_actor(find_actor(ctx, username))


def _void_week(engine) -> None:
    """PR000001–2 in office MAIN; T00002 ends on Wednesday 11/03, so its property is void Thu–Sun (4 days of
    £95.00 a week = £54.29) in the week of 9 March; the debit run records it."""
    seed_office(engine)
    with session_scope(engine, write=True) as s:
        s.execute(text("UPDATE property SET office_id = (SELECT id FROM office) WHERE ref IN ('PR000001', 'PR000002')"))
        s.execute(text("UPDATE tenancy SET end_date = :d WHERE ref = 'T00002'"), {"d": date(2026, 3, 11)})
    leader = ctx_for(engine, "leader")
    assert seed_basic_rent(leader, MONDAY) == 3
    assert run_debit(leader, THROUGH).void_loss_pence == 5429


def test_void_loss_is_read_by_rent_group_beside_the_identity_never_in_it(engine):
    _void_week(engine)
    recon = rent_reconciliation(ctx_for(engine, "income"), date_from=FROM, date_to=TO)
    main = recon.group("MAIN")
    assert (main.void_loss_pence, main.void_rows) == (5429, 1)
    assert (recon.total.void_loss_pence, recon.total.void_rows) == (5429, 1)
    assert recon.group("no_office").void_loss_pence == 0
    for group in (*recon.groups, recon.total):  # the identity has no void loss in it, and still balances
        assert group.opening_pence + sum(group.line_pence(line) for line, _ in LINES) == group.closing_pence
        assert group.difference_pence == 0
    earlier = rent_reconciliation(ctx_for(engine, "income"), date_from=MONDAY, date_to=date(2026, 3, 8))
    assert earlier.total.void_loss_pence == 0  # only weeks starting in the period count


def test_the_rows_behind_void_loss_name_the_property_week_and_days(engine):
    _void_week(engine)
    page = figure_rows(ctx_for(engine, "income"), date_from=FROM, date_to=TO, group="MAIN", line=VOID_LOSS)
    assert page.total == 1
    row = page.rows[0]
    assert (row.effective_date, row.account_ref, row.kind, row.method, row.amount_pence, row.reference) == (
        FROM, "PR000002", VOID_LOSS, "basic_rent", 5429, "4 void day(s)")
    assert figure_rows(ctx_for(engine, "income"), date_from=FROM, date_to=TO, group="no_office",
                       line=VOID_LOSS).total == 0


def test_report_rents_csv_has_the_void_loss_row_per_group(engine, tmp_path):
    _void_week(engine)
    write_rents_report(ctx_for(engine, "income"), date_from=FROM, date_to=TO, out_dir=tmp_path / "out")
    with (tmp_path / "out" / "reconciliation.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    voids = {r["group"]: r for r in rows if r["item"] == "void_loss"}
    assert voids["MAIN"]["pence"] == "5429" and voids["MAIN"]["rows"] == "1"
    assert voids["all"]["pence"] == "5429" and "not in it" in voids["all"]["note"]


def test_the_screen_shows_void_loss_after_the_difference_and_enter_lists_its_rows(engine):
    from duty_tui.areas.rents.tui.reconciliation import group_lines

    _void_week(engine)
    main = rent_reconciliation(ctx_for(engine, "income"), date_from=FROM, date_to=TO).group("MAIN")
    lines = group_lines(main)
    assert lines[-2][0].startswith("Difference")
    assert lines[-1] == ("Void rent loss (not charged)", 1, 5429, ("MAIN", VOID_LOSS, None, None))
