"""Former tenants' arrears on SQLite and PostgreSQL (docs/INCOME_FORMER_TENANTS.md): the final balance moved
once, a credit left for a refund, the letter of claim and its reply date from data."""

from __future__ import annotations

import json
import shutil
import threading
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from builders import NOW, seed_office
from sqlalchemy import text

from duty_tui.areas.income.domain.debt_claim import load_debt_protocol_file, load_templates
from duty_tui.areas.income.services.former_tenants import (
    close_to_former_tenant,
    former_tenant_account,
    former_tenant_accounts,
    letter_of_claim,
    move_preview,
    record_letter_of_claim,
)
from duty_tui.areas.income.services.worklist import arrears_worklist
from duty_tui.core.config.settings import Settings
from duty_tui.core.db.engine import make_engine
from duty_tui.core.domain.errors import EnvironmentProblem, InputError, NotFound, PermissionDenied
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import ServiceContext

TODAY = date(2026, 3, 10)  # NOW's day
DATA = Path(__file__).resolve().parents[3] / "data"


def ctx_for(engine, username: str = "income", *, data_dir: Path | None = None) -> ServiceContext:
    settings = Settings(db_url=str(engine.url)) if data_dir is None else Settings(db_url=str(engine.url),
                                                                                  data_dir=data_dir)
    ctx = ServiceContext.create(engine, settings, terminal="test-terminal", clock=lambda: NOW)
    return ctx.as_actor(find_actor(ctx, username))


def at(ctx: ServiceContext, day: date) -> ServiceContext:
    moment = datetime(day.year, day.month, day.day, 10, 30, tzinfo=UTC)
    return replace(ctx, clock=lambda: moment)


def _rows(engine, where: str = "") -> list[tuple]:
    with engine.connect() as c:
        return [tuple(r) for r in c.execute(text(
            "SELECT a.ref, l.kind, l.amount_pence, l.external_id, l.reference FROM ledger_entry l "
            "JOIN account a ON a.id = l.account_id WHERE l.external_id LIKE 'former-tenant:%' " + where
            + " ORDER BY l.id")).all()]


def _balance(engine, ref: str) -> int:
    with engine.connect() as c:
        return int(c.execute(text("SELECT COALESCE(SUM(l.amount_pence), 0) FROM ledger_entry l JOIN account a "
                                  "ON a.id = l.account_id WHERE a.ref = :r"), {"r": ref}).scalar())


def _events(engine, action: str) -> list[dict]:
    with engine.connect() as c:
        return [json.loads(d) if isinstance(d, str) else d for (d,) in c.execute(text(
            "SELECT detail FROM audit_event WHERE action = :a ORDER BY id"), {"a": action}).all()]


def test_the_final_balance_moves_once_to_a_new_former_tenant_account_and_the_account_leaves_the_worklist(engine):
    seed_office(engine)
    ctx = ctx_for(engine)
    assert "RNT000001" in {r.ref for r in arrears_worklist(ctx).rows}
    preview = move_preview(ctx, "rnt 000001")
    assert (preview.balance_pence, preview.former_account_ref, preview.tenancy_end, preview.moved_before) == \
        (15250, None, None, False)
    ended = TODAY - timedelta(days=3)
    done = close_to_former_tenant(ctx, "rnt000001", ended_on=ended, reason="Notice given; keys returned")
    assert (done.moved_pence, done.credit_pence, done.former_account_ref, done.already) == (15250, 0, "FTA000002", False)
    assert done.tenancy_end_set and done.former_account_created and done.closed_on == ended
    assert "moved to former tenant account FTA000002" in done.message
    assert _rows(engine) == [
        ("RNT000001", "adjustment", -15250, "former-tenant:RNT000001:out", "FTA000002"),
        ("FTA000002", "former_tenant_debt", 15250, "former-tenant:RNT000001:in", "RNT000001")]
    assert (_balance(engine, "RNT000001"), _balance(engine, "FTA000002")) == (0, 15250)
    with engine.connect() as c:  # the kept balances followed through their triggers
        kept = dict(c.execute(text("SELECT a.ref, b.balance_pence FROM account_balance b JOIN account a "
                                   "ON a.id = b.account_id WHERE a.ref IN ('RNT000001', 'FTA000002')")).all())
        tenancy = c.execute(text("SELECT t.end_date, t.status, t.version, a.closed_on, f.person_id, f.tenancy_id "
                                 "FROM account a JOIN tenancy t ON t.id = a.tenancy_id JOIN account f "
                                 "ON f.ref = 'FTA000002' WHERE a.ref = 'RNT000001'")).one()
    assert kept == {"RNT000001": 0, "FTA000002": 15250}
    assert str(tenancy[0]) == str(ended) and tenancy[1:3] == ("ended", 2) and str(tenancy[3]) == str(ended)
    assert tenancy[4] is not None and tenancy[5] is not None  # the holder's, for that tenancy
    again = close_to_former_tenant(ctx, "RNT000001", ended_on=ended, reason="again")
    assert again.already and again.moved_pence == 15250 and "already moved to FTA000002" in again.message
    assert len(_rows(engine)) == 2
    assert "RNT000001" not in {r.ref for r in arrears_worklist(ctx).rows}
    assert _events(engine, "arrears.former_tenant_moved") == [
        {"moved_pence": 15250, "credit_pence": 0, "to": "FTA000002", "ended_on": ended.isoformat(),
         "tenancy_end_set": True, "account_opened": True}]
    assert move_preview(ctx, "RNT000001").moved_before


def test_a_credit_is_not_moved_but_left_for_a_refund(engine):
    seed_office(engine)
    ctx = ctx_for(engine)
    done = close_to_former_tenant(ctx, "RNT000002", ended_on=TODAY, reason="Moved to a housing association")
    assert (done.moved_pence, done.credit_pence, done.former_account_ref) == (0, 2000, None)
    assert "£20.00 in credit" in done.message and "refund" in done.message
    assert _rows(engine) == [] and _balance(engine, "RNT000002") == -2000
    assert close_to_former_tenant(ctx, "RNT000002", ended_on=TODAY, reason="again").already
    assert len(_events(engine, "arrears.former_tenant_moved")) == 1


def test_an_existing_former_tenant_account_of_the_person_receives_the_balance(engine):
    seed_office(engine)
    with engine.begin() as c:  # Jon Smyth (P0000003) owes £640 on FTA000001; give him RNT000003's tenancy
        c.execute(text("UPDATE account SET person_id = (SELECT id FROM person WHERE ref = 'P0000003') "
                       "WHERE ref = 'RNT000003'"))
        c.execute(text("INSERT INTO ledger_entry (account_id, effective_date, posted_at, kind, amount_pence) "
                       "SELECT id, :d, :t, 'rent_debit', 5000 FROM account WHERE ref = 'RNT000003'"),
                  {"d": TODAY, "t": NOW})
    done = close_to_former_tenant(ctx_for(engine), "RNT000003", ended_on=TODAY, reason="Abandoned")
    assert (done.former_account_ref, done.moved_pence, done.former_account_created) == ("FTA000001", 5000, False)
    assert _balance(engine, "FTA000001") == 69000


def test_two_terminals_moving_one_account_at_once_leave_one_pair(engine):
    seed_office(engine)
    url = engine.url.render_as_string(hide_password=False)
    results, errors = [], []
    barrier = threading.Barrier(2)

    def terminal() -> None:
        other = make_engine(url)
        try:
            barrier.wait()
            results.append(close_to_former_tenant(ctx_for(other), "RNT000001", ended_on=TODAY, reason="Ended"))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            other.dispose()

    threads = [threading.Thread(target=terminal) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert sorted(r.already for r in results) == [False, True]
    assert {r.former_account_ref for r in results} == {"FTA000002"}
    assert len(_rows(engine)) == 2 and _balance(engine, "FTA000002") == 15250
    with engine.connect() as c:
        assert c.execute(text("SELECT COUNT(*) FROM account WHERE account_type = 'former_tenant'")).scalar() == 2


def test_the_move_refuses_what_it_cannot_do_and_changes_nothing(engine):
    seed_office(engine)
    ctx = ctx_for(engine)
    with pytest.raises(InputError) as caught:
        close_to_former_tenant(ctx, "RNT000001", ended_on=TODAY + timedelta(days=1), reason=" ")
    assert [p.split(":")[0] for p in caught.value.problems] == ["ended on", "reason"]
    with pytest.raises(InputError, match="former tenant account: a final balance is moved from a rent account"):
        close_to_former_tenant(ctx, "FTA000001", ended_on=TODAY, reason="x")
    with pytest.raises(NotFound):
        close_to_former_tenant(ctx, "RNT999999", ended_on=TODAY, reason="x")
    with pytest.raises(PermissionDenied):
        close_to_former_tenant(ctx_for(engine, "reception"), "RNT000001", ended_on=TODAY, reason="x")
    with engine.begin() as c:
        c.execute(text("UPDATE tenancy SET end_date = :d WHERE ref = 'T00001'"), {"d": TODAY})
    with pytest.raises(InputError, match="recorded as ending on 10/03/2026, after 09/03/2026"):
        close_to_former_tenant(ctx, "RNT000001", ended_on=TODAY - timedelta(days=1), reason="x")
    assert _rows(engine) == [] and _events(engine, "arrears.former_tenant_moved") == []
    done = close_to_former_tenant(ctx, "RNT000001", ended_on=TODAY, reason="x")  # the end date already set
    assert not done.tenancy_end_set and done.moved_pence == 15250


def test_the_letter_of_claim_names_the_debtor_and_amount_and_its_reply_date_comes_from_data(engine, tmp_path):
    seed_office(engine)
    ctx = ctx_for(engine)
    close_to_former_tenant(ctx, "RNT000001", ended_on=TODAY - timedelta(days=3), reason="Notice given")
    listed = former_tenant_accounts(ctx)
    assert [(r.ref, r.balance_pence, r.letter_sent_on) for r in listed] == [
        ("FTA000001", 64000, None), ("FTA000002", 15250, None)]
    assert listed[1].moved_on == TODAY - timedelta(days=3)
    document = letter_of_claim(ctx, "FTA000002")
    assert document.text is not None and document.entity_id == "FTA000002"
    for words in ("John Smith", "£152.50", "LETTER OF CLAIM", "Please reply by 9 April 2026, which is 30 days",
                  "INFORMATION SHEET", "REPLY FORM", "FINANCIAL STATEMENT", "12 Mill Lane",
                  "rent account RNT000001", "National Debtline"):
        assert words in document.text, words
    assert document.pdf.startswith(b"%PDF") and b"/Count 5" in document.pdf  # the letter on two pages, then a page each
    sent = record_letter_of_claim(ctx, "FTA000002", sent_on=TODAY - timedelta(days=1), method="first_class_post")
    assert sent.reply_by == TODAY + timedelta(days=29)
    row = next(r for r in former_tenant_accounts(ctx) if r.ref == "FTA000002")
    assert (row.letter_sent_on, row.reply_due, row.overdue) == (TODAY - timedelta(days=1), sent.reply_by, False)
    late = next(r for r in former_tenant_accounts(at(ctx, TODAY + timedelta(days=30))) if r.ref == "FTA000002")
    assert late.overdue
    detail = former_tenant_account(ctx, "FTA000002")
    assert detail.letters[0][0] == TODAY - timedelta(days=1) and "reply by 08/04/2026" in detail.letters[0][1]
    assert detail.rent_refs == ("RNT000001",) and detail.limitation_confirmed is False
    assert detail.limitation_ends == date(2032, 3, 4)  # six years from the last payment (4 March 2026)
    # a council's own period: 14 days in its own data folder
    own = tmp_path / "data"
    shutil.copytree(DATA, own)
    path = own / "income" / "debt_protocol.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("reply_days = 30", "reply_days = 14"), encoding="utf-8")
    mine = ctx_for(engine, data_dir=own)
    assert "Please reply by 24 March 2026, which is 14 days" in (letter_of_claim(mine, "FTA000002").text or "")
    assert record_letter_of_claim(mine, "FTA000002", sent_on=TODAY, method="by_hand").reply_by == date(2026, 3, 24)
    assert [e["method"] for e in _events(engine, "arrears.letter_of_claim_sent")] == ["first_class_post", "by_hand"]
    assert len(_events(engine, "arrears.letter_of_claim_made")) == 2


def test_letter_of_claim_refusals(engine):
    seed_office(engine)
    ctx = ctx_for(engine)
    with pytest.raises(InputError) as caught:
        record_letter_of_claim(ctx, "FTA000001", sent_on=TODAY + timedelta(days=1), method="pigeon")
    assert [p.split(":")[0] for p in caught.value.problems] == ["method", "sent on"]
    with pytest.raises(InputError, match="rent account: a letter of claim is recorded on a former tenant account"):
        record_letter_of_claim(ctx, "RNT000001", sent_on=TODAY, method="by_hand")
    with pytest.raises(InputError, match="not a former tenant account"):
        letter_of_claim(ctx, "RNT000001")
    with pytest.raises(PermissionDenied):
        record_letter_of_claim(ctx_for(engine, "reception"), "FTA000001", sent_on=TODAY, method="by_hand")
    with engine.begin() as c:
        c.execute(text("INSERT INTO ledger_entry (account_id, effective_date, posted_at, kind, amount_pence) "
                       "SELECT id, :d, :t, 'payment', -64000 FROM account WHERE ref = 'FTA000001'"),
                  {"d": TODAY, "t": NOW})
    with pytest.raises(InputError, match="owes nothing"):
        letter_of_claim(ctx, "FTA000001")
    assert former_tenant_accounts(ctx) == []


def test_protocol_and_template_mistakes_name_the_file_and_line(tmp_path):
    good = (DATA / "income" / "debt_protocol.toml").read_text(encoding="utf-8")
    for broken, words in ((good.replace("reply_days = 30", "reply_days = 0"), "reply_days must be a whole number"),
                          (good.replace("reply_days = 30", "reply_days = 30\nwhen = 1"), "unknown key 'when'"),
                          (good.replace("effective_from = 2017-10-01", 'effective_from = "soon"'),
                           "give effective_from = YYYY-MM-DD")):
        path = tmp_path / "debt_protocol.toml"
        path.write_text(broken, encoding="utf-8")
        with pytest.raises(EnvironmentProblem, match=words) as caught:
            load_debt_protocol_file(path)
        assert f"{path}:" in caught.value.message
    own = tmp_path / "data"
    shutil.copytree(DATA, own)
    letter = own / "income" / "letters" / "debt_reply_form.txt"
    letter.write_text(letter.read_text(encoding="utf-8") + "\n{debtor_shoe_size}\n", encoding="utf-8")
    with pytest.raises(EnvironmentProblem, match=r"debt_reply_form.txt:\d+: unknown placeholder \{debtor_shoe_size\}"):
        load_templates(own)
