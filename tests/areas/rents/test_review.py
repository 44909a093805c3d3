"""The rent review on SQLite and PostgreSQL (docs/RENTS_REVIEW.md; docs/CLI.md `duty-tui rent review`):
modelling, caps, a too-late apply refused naming HA 1985 s102-103, one applied review per rent year (two
applies at once: one wins), new charges from the first week charged by the debit run, direct debits told,
the notice's text."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from datetime import date

import pytest
from builders import NOW, seed_office
from sqlalchemy import text

from duty_tui.areas.payments.domain.mandate import MandateInput
from duty_tui.areas.payments.services.direct_debit import add_mandate
from duty_tui.areas.rents.services.charges import current_charges, seed_basic_rent
from duty_tui.areas.rents.services.debit import run_debit
from duty_tui.areas.rents.services.review import model_review, read_amounts, review_effect, withdraw_review
from duty_tui.areas.rents.services.review_apply import apply_review, list_notices
from duty_tui.areas.rents.services.review_notice import notice_pdf, notice_text
from duty_tui.core.cli import run
from duty_tui.core.config.settings import Settings
from duty_tui.core.domain.errors import ConflictError, InputError
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import ServiceContext

FIRST_WEEK = date(2026, 4, 6)
IN_TIME, TOO_LATE = date(2026, 3, 5), date(2026, 3, 6)
OLD = (11050, 9500, 12500)


def ctx_for(engine, username: str = "leader") -> ServiceContext:
    ctx = ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal="test-terminal",
                                clock=lambda: NOW)
    return ctx.as_actor(find_actor(ctx, username))


def _seeded(engine) -> ServiceContext:
    seed_office(engine)
    ctx = ctx_for(engine)
    assert seed_basic_rent(ctx, date(2026, 3, 2)) == 3
    return ctx


def _rows(engine, sql: str, **params) -> list:
    with engine.connect() as c:
        return c.execute(text(sql), params).all()


def test_modelling_a_percentage_stores_every_property_charge_and_changes_nothing_yet(engine):
    ctx = _seeded(engine)
    ref = model_review(ctx, year=2026, percent_bp=480, notices_on=IN_TIME)
    effect = review_effect(ctx, ref, largest=2)
    assert (effect.ref, effect.status, effect.rent_year, effect.lines, effect.changed) == (ref, "modelled", "2026/27", 3, 3)
    assert effect.old_weekly_pence == sum(OLD)
    assert effect.new_weekly_pence == 11580 + 9956 + 13100   # each increase rounded half up to the penny
    assert [c.property_ref for c in effect.largest] == ["PR000003", "PR000001"]
    assert current_charges(ctx, "T00001", FIRST_WEEK).weekly_total_pence == 11050


def test_a_percentage_over_the_rent_standard_limit_is_refused_naming_the_limit(engine):
    ctx = _seeded(engine)
    with pytest.raises(InputError, match=r"over the rent_standard limit of 4.8%.*give 4.8% or less"):
        model_review(ctx, year=2026, percent_bp=700)
    assert _rows(engine, "SELECT COUNT(*) FROM rent_review")[0][0] == 0


def test_per_property_amounts_are_capped_and_a_bad_line_models_nothing(engine, tmp_path):
    ctx = _seeded(engine)
    good = tmp_path / "amounts.csv"
    good.write_text("property_ref,charge_code,new_amount\nPR000001,basic_rent,120.00\nPR000002,basic_rent,96.00\n")
    ref = model_review(ctx, year=2026, amounts=read_amounts(good), policy_code="rent_standard")
    effect = review_effect(ctx, ref)
    assert effect.capped == 1 and effect.changed == 2                      # 120.00 held to 115.80
    assert {c.property_ref: c.new_pence for c in effect.largest} == {"PR000001": 11580, "PR000002": 9600,
                                                                     "PR000003": 12500}
    bad = tmp_path / "bad.csv"
    bad.write_text("property_ref,charge_code,new_amount\nPR000009,basic_rent,1.00\n")
    with pytest.raises(InputError, match="amounts line 2: property PR000009 has no basic_rent charge"):
        model_review(ctx, year=2026, amounts=read_amounts(bad))
    bad.write_text("property_ref,charge_code,new_amount\nPR000001,basic_rent,lots\n")
    with pytest.raises(InputError, match="line 2: new_amount"):
        read_amounts(bad)


def test_an_apply_too_late_for_its_notices_is_refused_naming_s102_103_and_the_latest_day(engine):
    ctx = _seeded(engine)
    ref = model_review(ctx, year=2026, percent_bp=480)
    with pytest.raises(InputError, match=r"too late.*Housing Act 1985 s102-103.*four weeks|4 weeks") as info:
        apply_review(ctx, ref, TOO_LATE)
    assert "posted by 05/03/2026" in str(info.value) and "--notices-on 2026-03-05" in str(info.value)
    assert _rows(engine, "SELECT status FROM rent_review")[0][0] == "modelled"
    assert _rows(engine, "SELECT COUNT(*) FROM rent_charge")[0][0] == 3          # nothing half-applied
    assert _rows(engine, "SELECT COUNT(*) FROM rent_variation_notice")[0][0] == 0


def test_applying_restarts_charges_from_the_first_week_and_the_debit_run_charges_them(engine):
    ctx = _seeded(engine)
    ref = model_review(ctx, year=2026, percent_bp=480)
    done = apply_review(ctx, ref, IN_TIME)
    assert (done.charges, done.notices, done.latest_notice_day) == (3, 3, IN_TIME)
    ended = _rows(engine, "SELECT effective_to, ended_reason FROM rent_charge WHERE effective_to IS NOT NULL")
    assert {(str(e), r) for e, r in ended} == {("2026-04-05", f"Rent review {ref}")}
    assert current_charges(ctx, "T00001", date(2026, 4, 5)).weekly_total_pence == 11050
    assert current_charges(ctx, "T00001", FIRST_WEEK).weekly_total_pence == 11580
    run_debit(ctx, date(2026, 3, 30))
    later = replace(ctx, clock=lambda: NOW.replace(month=4, day=8))
    run_debit(later, FIRST_WEEK)
    debits = dict(_rows(engine, "SELECT external_id, amount_pence FROM ledger_entry WHERE external_id LIKE :p",
                        p="debit:T00001:%:basic_rent"))
    assert debits["debit:T00001:2026-03-30:basic_rent"] == 11050
    assert debits["debit:T00001:2026-04-06:basic_rent"] == 11580
    notices = list_notices(ctx, ref)
    assert notices[0] == {"tenancy": "T00001", "account": "RNT000001", "given_on": "2026-03-05",
                          "old_weekly_pence": 11050, "new_weekly_pence": 11580}
    with pytest.raises(InputError, match="is applied; only a modelled review can be applied"):
        apply_review(ctx, ref, IN_TIME)


def test_a_second_review_for_the_same_year_cannot_be_applied_and_withdrawn_ones_cannot_either(engine):
    ctx = _seeded(engine)
    first, second = model_review(ctx, year=2026, percent_bp=480), model_review(ctx, year=2026, percent_bp=300)
    apply_review(ctx, first, IN_TIME)
    with pytest.raises(ConflictError, match="already applied; only one review is applied per rent year"):
        apply_review(ctx, second, IN_TIME)
    withdraw_review(ctx, second)
    with pytest.raises(InputError, match="is withdrawn"):
        apply_review(ctx, second, IN_TIME)


def test_two_applies_at_once_for_one_rent_year_one_wins(engine):
    ctx = _seeded(engine)
    refs = [model_review(ctx, year=2026, percent_bp=480), model_review(ctx, year=2026, percent_bp=300)]
    barrier, results, errors = threading.Barrier(2), [], []

    def one(ref: str) -> None:
        barrier.wait()
        try:
            results.append(apply_review(ctx, ref, IN_TIME))
        except ConflictError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(ref,)) for ref in refs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 1 and len(errors) == 1
    assert _rows(engine, "SELECT COUNT(*) FROM rent_review WHERE status = 'applied'")[0][0] == 1
    assert _rows(engine, "SELECT COUNT(*) FROM rent_charge WHERE effective_from = :d", d=FIRST_WEEK)[0][0] == 3
    assert _rows(engine, "SELECT COUNT(*) FROM rent_variation_notice")[0][0] == 3


def test_applying_tells_direct_debits_a_charges_mandate_owes_a_change_notice(engine):
    ctx = _seeded(engine)
    add_mandate(ctx_for(engine, "admin"), "RNT000001", MandateInput("RNT000001DD", "John Smith", 1, "charges",
                                                                    40000, 0), "08-99-99", "66374958",
                date(2026, 4, 1))
    before = _rows(engine, "SELECT COUNT(*) FROM dd_notice")[0][0]
    done = apply_review(ctx, model_review(ctx, year=2026, percent_bp=480), IN_TIME)
    assert done.mandates_changed == 1 and not done.hook_problems
    # a mandate collects monthly: the new weekly £115.80 × 52 ÷ 12 = £501.80
    assert _rows(engine, "SELECT amount_pence FROM dd_mandate")[0][0] == 50180
    kinds = _rows(engine, "SELECT kind, amount_pence FROM dd_notice ORDER BY id")
    assert len(kinds) == before + 1 and kinds[-1] == ("change", 50180)


def test_the_notice_names_the_act_the_dates_and_both_weekly_totals(engine, tmp_path):
    ctx = _seeded(engine)
    ref = model_review(ctx, year=2026, percent_bp=480)
    apply_review(ctx, ref, IN_TIME)
    lines = notice_text(ctx, ref, "t00001")
    body = "\n".join(lines)
    assert "NOTICE OF VARIATION OF RENT" in body and "Housing Act 1985, sections 102 and 103" in body
    assert "05 March 2026" in body and "Monday 06 April 2026" in body and "2026/27" in body
    assert "Weekly total now: £110.50" in body and "£115.80" in body and "RNT000001" in body
    assert all(len(line) <= 80 for line in lines)
    assert notice_pdf(ctx, ref, "T00001").startswith(b"%PDF")
    assert _rows(engine, "SELECT COUNT(*) FROM audit_event WHERE action = 'rent.notice_viewed'")[0][0] == 2


def test_cli_model_show_apply_notice_and_exit_codes(engine, db_url, tmp_path, capsys):
    _seeded(engine)

    def cli(*args: str) -> int:
        return run(["--db", db_url, *args])

    code = cli("rent", "review", "model", "--year", "2026", "--percent", "9")
    assert code == 2 and "limit of 4.8%" in capsys.readouterr().err
    assert cli("rent", "review", "model", "--year", "2026", "--percent", "4.8") == 0
    ref = capsys.readouterr().out.strip()
    assert cli("rent", "review", "show", ref, "--json") == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["changed"] == 3 and shown["new_weekly_pence"] == 11580 + 9956 + 13100
    assert cli("rent", "review", "apply", ref, "--notices-on", "2026-03-06") == 2
    assert "--notices-on 2026-03-05" in capsys.readouterr().err
    assert cli("rent", "review", "apply", ref, "--notices-on", "2026-03-05") == 0
    capsys.readouterr()
    assert cli("rent", "review", "notice", ref, "T00002") == 0
    assert "NOTICE OF VARIATION OF RENT" in capsys.readouterr().out
    out = tmp_path / "n.pdf"
    assert cli("rent", "review", "notice", ref, "T00002", "--pdf", str(out)) == 0
    assert out.read_bytes().startswith(b"%PDF")
    assert cli("rent", "review", "withdraw", ref) == 2
