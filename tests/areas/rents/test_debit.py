"""The weekly rent debit run and charges on SQLite and PostgreSQL (docs/RENTS_DEBIT.md; docs/CLI.md
`duty-tui rent debit`): once only under re-runs and two runs at once, by the day, free weeks, void loss."""

from __future__ import annotations

import json
import shutil
import threading
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from builders import NOW, seed_office
from sqlalchemy import text

from duty_tui.areas.rents.services.charges import current_charges, seed_basic_rent, set_charge
from duty_tui.areas.rents.services.debit import preview_debit, run_debit
from duty_tui.core.cli import run
from duty_tui.core.config.settings import Settings
from duty_tui.core.domain.errors import InputError, PermissionDenied
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import ServiceContext

MONDAY = date(2026, 3, 2)   # rent week 48 of 2025/26
THROUGH = date(2026, 3, 10)  # NOW's day: weeks of 2 and 9 March
WEEKLY = 11050 + 9500 + 12500


def ctx_for(engine, username: str = "leader", *, settings: Settings | None = None) -> ServiceContext:
    ctx = ServiceContext.create(engine, settings or Settings(db_url=str(engine.url)), terminal="test-terminal",
                                clock=lambda: NOW)
    return ctx.as_actor(find_actor(ctx, username))


def _seeded(engine) -> ServiceContext:
    seed_office(engine)
    ctx = ctx_for(engine)
    assert seed_basic_rent(ctx, MONDAY) == 3
    return ctx


def _rows(engine, sql: str, **params) -> list:
    with engine.connect() as c:
        return c.execute(text(sql), params).all()


def _debits(engine) -> list:
    return _rows(engine, "SELECT external_id, amount_pence, effective_date FROM ledger_entry "
                         "WHERE external_id LIKE 'debit:%' ORDER BY external_id")


def test_a_run_posts_each_week_once_and_a_rerun_posts_nothing(engine):
    ctx = _seeded(engine)
    preview = preview_debit(ctx, THROUGH)
    assert (preview.posted, preview.tenancies, preview.total_pence) == (6, 3, 2 * WEEKLY) and not _debits(engine)
    first = run_debit(ctx, THROUGH)
    assert first.as_json() == {"posted": 6, "tenancies": 3, "total_pence": 2 * WEEKLY}
    assert first.week_span == "2026-03-02–2026-03-09" and first.first_week.number == 48
    rows = _debits(engine)
    assert rows[0][:2] == ("debit:T00001:2026-03-02:basic_rent", 11050)
    assert run_debit(ctx, THROUGH).as_json() == {"posted": 0, "tenancies": 0, "total_pence": 0}
    assert _debits(engine) == rows
    ref, kind, reference = _rows(engine, "SELECT a.ref, l.kind, l.reference FROM ledger_entry l JOIN account a "
                                         "ON a.id = l.account_id WHERE l.external_id = :e",
                                 e="debit:T00003:2026-03-09:basic_rent")[0]
    assert (ref, kind, reference) == ("RNT000003", "rent_debit", "Basic rent w/c 09/03/2026")
    events = _rows(engine, "SELECT detail FROM audit_event WHERE action = 'rent.debit_run' ORDER BY id")
    detail = events[0][0] if isinstance(events[0][0], dict) else json.loads(events[0][0])
    assert detail["posted"] == 6 and detail["property_weeks"] == 6


def test_a_tenancy_ending_mid_week_is_charged_by_the_day_and_the_rest_is_void_loss(engine):
    ctx = _seeded(engine)
    with engine.begin() as c:
        c.execute(text("UPDATE tenancy SET end_date = :d WHERE ref = 'T00002'"), {"d": date(2026, 3, 11)})
    summary = run_debit(ctx, THROUGH)
    amounts = dict((e, a) for e, a, _ in _debits(engine))
    assert amounts["debit:T00002:2026-03-09:basic_rent"] == 4071      # 9,500 ÷ 7 × 3 (Mon–Wed) = 4,071.43
    assert summary.void_loss_pence == 5429 and summary.void_properties == 1  # × 4 = 5,428.57
    assert _rows(engine, "SELECT days, amount_pence, charge_code FROM rent_void_loss") == [(4, 5429, "basic_rent")]


def test_a_tenancy_starting_mid_week_is_charged_from_its_first_day(engine):
    ctx = _seeded(engine)
    with engine.begin() as c:
        c.execute(text("UPDATE tenancy SET start_date = :d WHERE ref = 'T00003'"), {"d": date(2026, 3, 5)})
    run_debit(ctx, THROUGH)
    rows = {e: (a, str(d)) for e, a, d in _debits(engine)}
    assert rows["debit:T00003:2026-03-02:basic_rent"] == (7143, "2026-03-05")  # 12,500 ÷ 7 × 4 = 7,142.86
    assert rows["debit:T00003:2026-03-09:basic_rent"] == (12500, "2026-03-09")


def test_a_rent_free_week_charges_nothing(engine, tmp_path):
    from duty_tui.core.config.settings import DEFAULTS

    data = tmp_path / "data"
    shutil.copytree(DEFAULTS["data_dir"], data)
    calendar = data / "rents" / "calendar.toml"
    calendar.write_text(calendar.read_text().replace('free_weeks = {}', 'free_weeks = { "2025" = [49] }'))
    seed_office(engine)
    ctx = ctx_for(engine, settings=Settings(db_url=str(engine.url), data_dir=data))
    seed_basic_rent(ctx, MONDAY)
    summary = run_debit(ctx, THROUGH)
    assert (summary.posted, summary.total_pence, summary.free_weeks) == (3, WEEKLY, 3)
    assert all(e.split(":")[2] == "2026-03-02" for e, _, _ in _debits(engine))
    assert run_debit(ctx, THROUGH).posted == 0  # the free week is claimed, not left to charge later


def test_two_runs_at_once_post_nothing_twice(engine):
    ctx = _seeded(engine)
    barrier, results, errors = threading.Barrier(2), [], []

    def one() -> None:
        barrier.wait()
        try:
            results.append(run_debit(ctx, THROUGH))
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(r.posted for r in results) == [0, 6] and len(_debits(engine)) == 6
    assert _rows(engine, "SELECT SUM(balance_pence) FROM account_balance")[0][0] == \
        _rows(engine, "SELECT SUM(amount_pence) FROM ledger_entry")[0][0]


def test_charge_changes_keep_history_and_the_weekly_total(engine):
    ctx = _seeded(engine)
    set_charge(ctx, code="tv_licence", tenancy_ref="T00001", amount_pence=1475, frequency="monthly",
               effective_from=MONDAY, reason="tenant asked")
    set_charge(ctx, code="basic_rent", property_ref="PR000001", amount_pence=11500, frequency="weekly",
               effective_from=date(2026, 3, 9), reason="rent review")
    charges = current_charges(ctx, "T00001", date(2026, 3, 9))
    assert [(c.code, c.weekly_pence) for c in charges.lines] == [("basic_rent", 11500), ("tv_licence", 340)]
    assert charges.weekly_total_pence == 11840
    old = _rows(engine, "SELECT effective_to, ended_reason, version FROM rent_charge WHERE amount_pence = 11050")
    assert [(str(to), why, version) for to, why, version in old] == [("2026-03-08", "rent review", 2)]
    run_debit(ctx, THROUGH)
    amounts = {e: a for e, a, _ in _debits(engine) if e.startswith("debit:T00001")}
    assert amounts == {"debit:T00001:2026-03-02:basic_rent": 11050, "debit:T00001:2026-03-02:tv_licence": 340,
                       "debit:T00001:2026-03-09:basic_rent": 11500, "debit:T00001:2026-03-09:tv_licence": 340}


def test_bad_charges_are_refused_naming_the_rule(engine):
    ctx = _seeded(engine)
    with pytest.raises(InputError, match=r"ends \(01/03/2026\) before it starts \(02/03/2026\)"):
        set_charge(ctx, code="garage", tenancy_ref="T00001", amount_pence=900, frequency="weekly",
                   effective_from=MONDAY, effective_to=date(2026, 3, 1), reason="garage let")
    with pytest.raises(InputError, match="per property"):
        set_charge(ctx, code="basic_rent", tenancy_ref="T00001", amount_pence=900, frequency="weekly",
                   effective_from=MONDAY, reason="x")
    with pytest.raises(InputError, match="already starts on 02/03/2026"):
        set_charge(ctx, code="basic_rent", property_ref="PR000001", amount_pence=900, frequency="weekly",
                   effective_from=MONDAY, reason="x")


def test_who_may_run_it_and_how_far_ahead(engine):
    ctx = _seeded(engine)
    with pytest.raises(PermissionDenied):
        run_debit(ctx_for(engine, "income"), THROUGH)
    batch = ctx.batch_actor("cron")
    assert run_debit(batch, THROUGH).posted == 6
    with pytest.raises(InputError, match="more than one year ahead"):
        run_debit(ctx, date(2027, 3, 11))
    later = replace(ctx, clock=lambda: datetime(2026, 3, 24, 9, 0, tzinfo=UTC))
    assert run_debit(later, date(2026, 3, 23)).posted == 6  # weeks of 16 and 23 March


def test_cli_debit_summary_json_and_exit_codes(engine, db_url, capsys):
    _seeded(engine)
    assert run(["--db", db_url, "rent", "debit", "--through", "2026-03-10", "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out) == {"posted": 6, "tenancies": 3, "total_pence": 2 * WEEKLY}
    assert "posted 6 charges for 3 tenancies, weeks 2026-03-02–2026-03-09, total £661.00" in err
    assert run(["--db", db_url, "rent", "debit", "--through", "2099-01-01"]) == 2
    assert "more than one year ahead" in capsys.readouterr().err
    assert run(["--db", db_url, "rent", "debit", "--through", "soon"]) == 2
    assert run(["--db", db_url, "account", "show", "RNT000001", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["weekly_charges_pence"] == 11050


def test_cli_seed_charges_and_charges(engine, db_url, capsys):
    seed_office(engine)
    assert run(["--db", db_url, "rent", "seed-charges", "--from", "02/03/2026", "--as", "leader"]) == 0
    assert "made 3 basic-rent charges from 02/03/2026" in capsys.readouterr().err
    assert run(["--db", db_url, "rent", "seed-charges", "--from", "02/03/2026", "--as", "leader"]) == 0
    assert "made 0 basic-rent charges" in capsys.readouterr().err
    assert run(["--db", db_url, "rent", "charges", "T00003", "--json", "--as", "leader"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["weekly_total_pence"] == 12500 and shown["charges"][0]["code"] == "basic_rent"
    assert run(["--db", db_url, "rent", "charges", "T99999", "--as", "leader"]) == 2
    assert run(["--db", db_url, "rent", "seed-charges", "--from", "02/03/2026", "--as", "income"]) == 2


def test_the_person_view_carries_the_weekly_charges(engine):
    from duty_tui.core.services.people import get_person

    ctx = _seeded(engine)
    set_charge(ctx, code="contents_insurance", tenancy_ref="T00001", amount_pence=520, frequency="fortnightly",
               effective_from=MONDAY, reason="joined the scheme")
    accounts = {a.ref: a.weekly_charges_pence for a in get_person(ctx, "P0000001").accounts}
    assert accounts == {"RNT000001": 11050 + 260}
    khan = {a.ref: a.weekly_charges_pence for a in get_person(ctx, "P0000004").accounts}
    assert khan == {"RNT000003": 12500}


def test_a_stale_plan_claims_nothing_once_another_run_has_posted(engine):
    """The guarantee is the key, not the read: a run that planned before another committed claims nothing."""
    from duty_tui.areas.rents.domain.reference import load_calendar, load_charge_types
    from duty_tui.areas.rents.services.debit import claim_weeks, plan_debit
    from duty_tui.core.db.engine import session_scope

    ctx = _seeded(engine)
    data = ctx.settings.data_dir
    with session_scope(engine) as session:
        stale = plan_debit(session.connection(), load_calendar(data), load_charge_types(data), THROUGH, now=NOW,
                           actor_id=None, terminal="t")
    assert len(stale.claims) == 6
    run_debit(ctx, THROUGH)
    with session_scope(engine, write=True) as session:
        assert claim_weeks(session.connection(), stale.claims) == set()
    assert len(_debits(engine)) == 6


def test_a_preview_with_no_charges_set_up_says_so_rather_than_all_posted(engine):
    from duty_tui.areas.rents.tui.debit import summary_lines

    seed_office(engine)
    ctx = ctx_for(engine)
    empty = preview_debit(ctx, THROUGH)
    assert (empty.posted, empty.charged_properties) == (0, 0)
    assert any("no charges are set up yet" in line for line in summary_lines(empty))
    assert seed_basic_rent(ctx, MONDAY) == 3
    run_debit(ctx, THROUGH)
    done = preview_debit(ctx, THROUGH)
    assert (done.posted, done.charged_properties) == (0, 3)
    assert any("every week through this date is posted" in line for line in summary_lines(done))


def test_a_charge_cannot_start_inside_a_week_the_debit_run_has_posted(engine):
    """A posted rent week is never posted again, so a charge starting inside one would silently go uncharged
    for it: refused, naming the first week it may start (from the screen, the CLI and the import alike)."""
    from duty_tui.areas.rents.services.charges import set_charge_for_tenancy

    ctx = _seeded(engine)
    run_debit(ctx, THROUGH)  # posts the weeks of 2 and 9 March
    with pytest.raises(InputError, match="already posted this home's rent week of 09/03/2026.*16/03/2026 or later"):
        set_charge_for_tenancy(ctx, tenancy_ref="T00001", code="tv_licence", amount_pence=1375, frequency="weekly",
                               effective_from=date(2026, 3, 11), reason="asked for by the tenant")
    line = set_charge_for_tenancy(ctx, tenancy_ref="T00001", code="tv_licence", amount_pence=1375,
                                  frequency="weekly", effective_from=date(2026, 3, 16), reason="asked for by the tenant")
    assert line.effective_from == date(2026, 3, 16)
