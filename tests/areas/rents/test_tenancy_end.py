"""A tenancy's end at its account on SQLite and PostgreSQL (docs/RENTS_TENANCY_END.md): charges to the end
date by the day, weeks posted past the end credited back, housing benefit after the end reversed, the final
balance moved (debt → former-tenant account, credit → refund request / two-person transfer / held), once
only; court costs and rechargeable repairs on their own accounts."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from builders import NOW, _hash, seed_office
from sqlalchemy import text

from duty_tui.areas.rents.domain.final_balance import credit_back, parse_credit_choice, reversed_after_end
from duty_tui.areas.rents.services.charges import seed_basic_rent
from duty_tui.areas.rents.services.debit import run_debit
from duty_tui.areas.rents.services.sundry import charge_sundry
from duty_tui.areas.rents.services.tenancy_end import end_tenancy, preview_end
from duty_tui.areas.rents.services.transfers import decide_transfer, list_transfers
from duty_tui.core.cli import run
from duty_tui.core.config.settings import Settings
from duty_tui.core.domain.errors import InputError, PermissionDenied
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import ServiceContext

MONDAY = date(2026, 3, 2)
THROUGH = date(2026, 3, 10)


def ctx_for(engine, username: str = "leader") -> ServiceContext:
    ctx = ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal="test-terminal", clock=lambda: NOW)
    return ctx.as_actor(find_actor(ctx, username))


def _seeded(engine, *, debit: bool = True) -> ServiceContext:
    seed_office(engine)
    ctx = ctx_for(engine)
    assert seed_basic_rent(ctx, MONDAY) == 3
    if debit:
        run_debit(ctx, THROUGH)
    return ctx


def _rows(engine, sql: str, **params) -> list:
    with engine.connect() as c:
        return c.execute(text(sql), params).all()


def _balance(engine, ref: str) -> int:
    return _rows(engine, "SELECT COALESCE(SUM(l.amount_pence), 0) FROM ledger_entry l JOIN account a "
                         "ON a.id = l.account_id WHERE a.ref = :r", r=ref)[0][0]


def test_pure_rules_credit_back_hb_reversed_and_credit_choices():
    assert credit_back(11050, 4736) == 6314 and credit_back(100, 200) == 0
    assert reversed_after_end("housing_benefit", -12500) and not reversed_after_end("payment", -2000)
    assert parse_credit_choice("transfer:cc000001").account_ref == "CC000001"
    with pytest.raises(ValueError, match="choose refund, hold or transfer"):
        parse_credit_choice("burn")


def test_mid_week_end_credits_back_the_days_after_and_moves_the_debt_to_a_former_tenant_account(engine):
    ctx = _seeded(engine)
    preview = preview_end(ctx, "T00001", date(2026, 3, 10))
    assert (preview.charged_pence, preview.credited_back_pence) == (0, 7893)   # 11,050 − 11,050 ÷ 7 × 2
    assert preview.final_balance_pence == 15250 + 2 * 11050 - 7893 and preview.preview
    assert _balance(engine, "RNT000001") == 15250 + 2 * 11050                  # the preview wrote nothing
    done = end_tenancy(ctx, "T00001", date(2026, 3, 10), "notice given")
    assert done.outcome == "former_tenant" and done.outcome_ref and done.outcome_ref.startswith("FTA")
    assert _balance(engine, "RNT000001") == 0
    assert _balance(engine, done.outcome_ref) == preview.final_balance_pence
    assert "moved to former tenant account" in done.message
    row = _rows(engine, "SELECT outcome, outcome_ref, final_balance_pence FROM rent_tenancy_end")
    assert row == [("former_tenant", done.outcome_ref, preview.final_balance_pence)]


def test_a_rents_assistant_moves_the_final_debt_though_they_hold_rents_manage_not_arrears_manage(engine):
    """Working out a former tenant's final balance is the rents assistant's job (DOMAIN.md, Rent
    accounting): the income hook accepts rents.manage as well as arrears.manage."""
    _seeded(engine)
    with engine.begin() as c:
        c.execute(text("INSERT INTO staff_user (username, display_name, role, password_hash, active, failed_logins, version) "
                       "VALUES ('rents', 'Rhea Rents', 'rents_assistant', :h, :a, 0, 1)"), {"h": _hash(), "a": True})
    rents = ctx_for(engine, "rents")
    assert not rents.can("arrears.manage") and rents.can("rents.manage")
    done = end_tenancy(rents, "T00001", date(2026, 3, 10), "notice given")
    assert done.outcome == "former_tenant" and done.outcome_ref and done.outcome_ref.startswith("FTA")
    assert _balance(engine, "RNT000001") == 0 and _balance(engine, done.outcome_ref) == done.final_balance_pence


def test_weeks_not_yet_posted_are_posted_to_the_end_by_the_day(engine):
    ctx = _seeded(engine, debit=False)
    run_debit(ctx, MONDAY)
    done = end_tenancy(ctx, "T00001", date(2026, 3, 10), "abandoned", credit="hold")
    assert done.charged_pence == 3157                                         # 11,050 ÷ 7 × 2 (Mon–Tue)
    assert _rows(engine, "SELECT amount_pence FROM ledger_entry WHERE external_id = "
                         "'debit:T00001:2026-03-09:basic_rent'") == [(3157,)]
    # the other homes' weeks are left for the debit run
    assert not _rows(engine, "SELECT 1 FROM ledger_entry WHERE external_id LIKE 'debit:T00002:2026-03-09%'")


def test_housing_benefit_after_the_end_is_reversed_and_a_tenants_own_payment_stays(engine):
    ctx = _seeded(engine)
    with engine.begin() as c:
        acc = c.execute(text("SELECT id FROM account WHERE ref = 'RNT000003'")).scalar()
        for kind, amount in (("housing_benefit", -12500), ("payment", -2000)):
            c.execute(text("INSERT INTO ledger_entry (account_id, effective_date, posted_at, kind, amount_pence) "
                           "VALUES (:a, :d, :p, :k, :m)"), {"a": acc, "d": date(2026, 3, 12), "p": NOW,
                                                            "k": kind, "m": amount})
    done = end_tenancy(ctx, "T00003", date(2026, 3, 10), "moved away", credit="hold")
    assert done.reversed_pence == 12500 and done.kept_credits_pence == 2000
    assert _rows(engine, "SELECT kind, amount_pence FROM ledger_entry WHERE external_id LIKE 'end-hb:%'") == \
        [("reversal", 12500)]
    assert done.final_balance_pence == 2 * 12500 - 8929 - 2000                # HB gone, own payment counted


def test_a_future_end_leaves_the_debt_on_the_account_until_the_tenancy_has_ended(engine):
    ctx = _seeded(engine)
    done = end_tenancy(ctx, "T00001", date(2026, 3, 11), "notice given")
    assert done.outcome == "former_tenant" and done.outcome_ref is None and "not moved yet" in done.message
    assert _balance(engine, "RNT000001") == done.final_balance_pence == 15250 + 2 * 11050 - 6314


def test_a_second_end_is_refused_by_the_database_and_reads_back_the_first(engine):
    ctx = _seeded(engine)
    first = end_tenancy(ctx, "T00001", date(2026, 3, 11), "notice given")
    again = end_tenancy(ctx, "T00001", date(2026, 3, 12), "notice given")
    assert again.already and again.final_balance_pence == first.final_balance_pence
    assert _rows(engine, "SELECT COUNT(*) FROM ledger_entry WHERE external_id LIKE 'end-credit:%'") == [(1,)]


def test_two_ends_at_once_end_the_tenancy_once(engine):
    _seeded(engine)
    barrier, results, errors = threading.Barrier(2), [], []

    def one() -> None:
        barrier.wait()
        try:
            results.append(end_tenancy(ctx_for(engine), "T00001", date(2026, 3, 11), "notice given", credit="hold"))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(results) == 2
    assert sorted(r.already for r in results) == [False, True]
    assert _rows(engine, "SELECT COUNT(*) FROM rent_tenancy_end") == [(1,)]
    assert _rows(engine, "SELECT COUNT(*) FROM ledger_entry WHERE external_id LIKE 'end-credit:%'") == [(1,)]


def test_a_credit_goes_to_a_refund_request(engine):
    ctx = _seeded(engine, debit=False)
    with engine.begin() as c:
        c.execute(text("UPDATE ledger_entry SET effective_date = :d, posted_at = :p WHERE account_id = "
                       "(SELECT id FROM account WHERE ref = 'RNT000002')"),
                  {"d": date(2025, 12, 1), "p": NOW.replace(month=1)})
    done = end_tenancy(ctx, "T00002", date(2026, 3, 1), "moved away", credit="refund")
    assert done.final_balance_pence == -2000 and done.outcome == "refund" and done.outcome_ref
    assert _rows(engine, "SELECT amount_pence, status FROM refund_request") == [(2000, "requested")]


def test_a_credit_transfer_needs_a_second_person_and_the_same_person(engine):
    ctx = _seeded(engine, debit=False)
    court = charge_sundry(ctx, "P0000002", "court_costs", 5000, "Possession claim costs", source_ref="K00ZZ123")
    with pytest.raises(InputError, match="belongs to someone else"):
        end_tenancy(ctx, "T00002", date(2026, 3, 1), "moved", credit="transfer:RNT000003")
    done = end_tenancy(ctx, "T00002", date(2026, 3, 1), "moved", credit=f"transfer:{court.account_ref}")
    assert done.outcome == "transfer" and [t.ref for t in list_transfers(ctx)] == [done.outcome_ref]
    with pytest.raises(PermissionDenied, match="someone else must decide"):
        decide_transfer(ctx, done.outcome_ref, authorise=True)
    decided = decide_transfer(ctx_for(engine, "admin"), done.outcome_ref, authorise=True)
    assert decided.status == "authorised"
    assert _balance(engine, "RNT000002") == 0 and _balance(engine, court.account_ref) == 3000
    kinds = _rows(engine, "SELECT external_id FROM ledger_entry WHERE kind = 'transfer' ORDER BY external_id")
    assert kinds == [(f"transfer:{done.outcome_ref}:in",), (f"transfer:{done.outcome_ref}:out",)]


def test_court_costs_go_on_their_own_account_never_the_rent_account(engine):
    ctx = _seeded(engine, debit=False)
    before = _balance(engine, "RNT000001")
    first = charge_sundry(ctx, "RNT000001", "court_costs", 35500, "Court fee")
    second = charge_sundry(ctx, "P0000001", "court_costs", 1000, "Bailiff fee")
    repair = charge_sundry(ctx, "P0000001", "rechargeable_repairs", 8000, "Broken door")
    assert first.account_opened and not second.account_opened and first.account_ref == second.account_ref
    assert repair.account_ref != first.account_ref and _balance(engine, "RNT000001") == before
    assert _balance(engine, first.account_ref) == 36500
    assert _rows(engine, "SELECT kind FROM ledger_entry WHERE account_id = (SELECT id FROM account WHERE ref = :r)",
                 r=repair.account_ref) == [("rechargeable_repair",)]
    with pytest.raises(InputError, match="choose court_costs or rechargeable_repairs"):
        charge_sundry(ctx, "P0000001", "parking", 100, "x")


def test_cli_end_tenancy_preview_json_and_exit_codes(engine, db_url, capsys):
    import json


    _seeded(engine)
    base = ["--db", db_url, "rent"]
    assert run([*base, "end-tenancy", "T00001", "--on", "2026-03-10", "--reason", "notice", "--preview", "--json",
                "--as", "leader"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["final_balance_pence"] == 15250 + 2 * 11050 - 7893 and "would end" in err
    assert run([*base, "end-tenancy", "T00001", "--on", "soon", "--reason", "x", "--as", "leader"]) == 2
    assert run([*base, "end-tenancy", "T00001", "--on", "2026-03-10", "--reason", "x", "--credit", "burn",
                "--as", "leader"]) == 2
    assert "choose refund, hold or transfer" in capsys.readouterr().err
    assert run([*base, "end-tenancy", "T00001", "--on", "2026-03-10", "--reason", "x", "--as", "income"]) == 2
    assert run([*base, "end-tenancy", "T00001", "--on", "2026-03-10", "--reason", "notice", "--as", "leader"]) == 0
    assert "moved to former tenant account" in capsys.readouterr().err
    assert run([*base, "sundry-charge", "P0000001", "--kind", "court_costs", "--amount", "£355.00",
                "--description", "Court fee", "--as", "leader"]) == 0
    assert "charged £355.00 court costs to CC" in capsys.readouterr().err
    assert run([*base, "sundry-charge", "P0000001", "--kind", "court_costs", "--amount", "-5",
                "--description", "Court fee", "--as", "leader"]) == 2
    assert run([*base, "transfers", "--json", "--as", "leader"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert run([*base, "transfer-decide", "CT000001", "--as", "leader"]) == 2
    assert "exactly one of --authorise or --reject" in capsys.readouterr().err
