"""Payments services on SQLite and PostgreSQL: take, receipts, idempotency, reversals, refunds,
arrangements, cash-up, statements, suspense."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from builders import NOW, seed_office
from pay_helpers import at, cash, ctx_for, utc
from sqlalchemy import text

from duty_tui.areas.payments.domain.rules import SplitLine
from duty_tui.areas.payments.services.accounts import find_payable_accounts, list_accounts, show_account
from duty_tui.areas.payments.services.arrangements import (
    arrangement_status_for_person,
    arrangements_for_account,
    broken_arrangements,
    create_arrangement,
    end_arrangement,
)
from duty_tui.areas.payments.services.cashup import cashups_to_sign_off, sign_off_cashup, submit_cashup, till_takings
from duty_tui.areas.payments.services.printing import receipt_lines, receipt_pdf, statement_lines, statement_pdf
from duty_tui.areas.payments.services.receipts import get_receipt, replay_payment
from duty_tui.areas.payments.services.refunds import (
    authorise_refund,
    pending_refunds,
    refund_position,
    reject_refund,
    request_refund,
)
from duty_tui.areas.payments.services.reversals import reverse_entry
from duty_tui.areas.payments.services.statements import account_statement
from duty_tui.areas.payments.services.taking import PaymentRequest, take_payment
from duty_tui.core.domain.errors import ConflictError, InputError, NotFound, PermissionDenied
from duty_tui.core.services.audit import verify_chain

VISA_TEST = "4111 1111 1111 1111"


def _balance(engine, ref: str) -> int:
    with engine.connect() as c:
        return int(c.execute(text("SELECT COALESCE(SUM(l.amount_pence),0) FROM ledger_entry l JOIN account a "
                                  "ON a.id = l.account_id WHERE a.ref = :r"), {"r": ref}).scalar())


def _count(engine, sql: str) -> int:
    with engine.connect() as c:
        return int(c.execute(text(sql)).scalar())


# ------------------------------------------------------------------- take a payment


def test_cash_payment_posts_a_receipt_and_lowers_the_balance(engine):
    seed_office(engine)
    ctx = ctx_for(engine, "reception")
    receipt = cash(ctx, "RNT000001", 5000)
    assert receipt.receipt_no == 1 and receipt.label == "MAIN-000001"
    assert receipt.total_pence == 5000 and receipt.method == "cash" and receipt.till_code == "TILL1"
    assert receipt.lines[0].balance_after_pence == 15250 - 5000
    assert _balance(engine, "RNT000001") == 10250
    text_lines = receipt_lines(receipt)
    assert "RECEIPT MAIN-000001" in text_lines and any("£50.00" in line for line in text_lines)
    assert receipt_pdf(receipt).startswith(b"%PDF")
    again = get_receipt(ctx, 1)
    assert again.total_pence == 5000 and again.lines[0].account_ref == "RNT000001"
    assert cash(ctx, "RNT000001", 100).receipt_no == 2
    assert verify_chain(engine).ok


def test_same_key_never_posts_twice(engine):
    seed_office(engine)
    ctx = ctx_for(engine)
    key = uuid.uuid4().hex
    first = cash(ctx, "RNT000001", 2500, key=key)
    second = cash(ctx, "RNT000001", 2500, key=key)  # Enter pressed twice / retry after a timeout
    assert second.replayed and not first.replayed
    assert second.receipt_no == first.receipt_no
    assert _balance(engine, "RNT000001") == 15250 - 2500
    assert _count(engine, "SELECT COUNT(*) FROM payment") == 1
    assert cash(ctx, "RNT000001", 100).receipt_no == first.receipt_no + 1


def _audited(engine, action: str) -> list[tuple[str, str]]:
    with engine.connect() as c:
        return [(r[0], r[1]) for r in c.execute(text(
            "SELECT actor, entity_id FROM audit_event WHERE action = :a ORDER BY id"), {"a": action}).all()]


def test_replaying_a_payment_needs_payment_take_and_is_audited(engine):
    seed_office(engine)
    key = uuid.uuid4().hex
    first = cash(ctx_for(engine, "reception"), "RNT000001", 2500, key=key)
    # The options officer's role may not take payments: no receipt, and nothing audited as shown.
    with pytest.raises(PermissionDenied, match="payment.take"):
        replay_payment(ctx_for(engine, "options"), key)
    assert _audited(engine, "payment.replay") == []
    again = replay_payment(ctx_for(engine, "income"), key)
    assert again.replayed and again.receipt_no == first.receipt_no and again.total_pence == 2500
    # The second Enter on the same form replays too, audited in the same transaction.
    cash(ctx_for(engine, "reception"), "RNT000001", 2500, key=key)
    assert _audited(engine, "payment.replay") == [("income", "MAIN-000001"), ("reception", "MAIN-000001")]
    with pytest.raises(NotFound):
        replay_payment(ctx_for(engine, "income"), uuid.uuid4().hex)
    assert len(_audited(engine, "payment.replay")) == 2
    assert verify_chain(engine).ok


def test_a_failed_payment_burns_no_receipt_number(engine):
    seed_office(engine)
    ctx = ctx_for(engine)
    cash(ctx, "RNT000001", 100)
    with pytest.raises(NotFound):
        cash(ctx, "RNT999999", 100)
    with pytest.raises(InputError, match="over the limit"):
        cash(ctx, "RNT000001", 500_000)
    assert cash(ctx, "RNT000001", 100).receipt_no == 2


def test_split_payment_one_receipt_two_accounts(engine):
    seed_office(engine)
    ctx = ctx_for(engine, "income")
    lookup = find_payable_accounts(ctx, query="FTA000001")
    assert [a.ref for a in lookup.accounts] == ["FTA000001"]
    receipt = take_payment(ctx, PaymentRequest(uuid.uuid4().hex, "card_phone",
                                               (SplitLine("RNT000001", 6000), SplitLine("RNT000002", 1000)),
                                               card_last4="1111", terminal_ref="AUTH 829104"))
    assert [line.account_ref for line in receipt.lines] == ["RNT000001", "RNT000002"]
    assert receipt.total_pence == 7000 and receipt.channel == "phone" and receipt.till_code is None
    assert receipt.card_last4 == "1111"
    with engine.connect() as c:
        rows = c.execute(text("SELECT receipt_no FROM ledger_entry WHERE receipt_no IS NOT NULL")).all()
    assert [r[0] for r in rows] == [1, 1]


def test_card_number_or_security_code_is_refused_and_nothing_posted(engine):
    seed_office(engine)
    ctx = ctx_for(engine)
    base = dict(lines=(SplitLine("RNT000001", 1000),), card_last4="1111", terminal_ref="AUTH 829104")
    for field, value, reason in (("terminal_ref", VISA_TEST, "full card number"),
                                 ("card_last4", VISA_TEST, "full card number"),
                                 ("card_last4", "123", "security code"),
                                 ("reference", "cvv 123", "security code"),
                                 ("paid_by", f"Mr Smith {VISA_TEST}", "full card number")):
        with pytest.raises(InputError, match=reason) as caught:
            take_payment(ctx, PaymentRequest(uuid.uuid4().hex, "card_phone", **{**base, field: value}))
        assert any(reason in p for p in caught.value.problems)
    assert _count(engine, "SELECT COUNT(*) FROM payment") == 0
    with engine.connect() as c:
        stored = " ".join(str(v) for row in c.execute(text("SELECT * FROM audit_event")).all() for v in row)
    assert "4111" not in stored


def test_bad_input_is_refused_with_every_problem(engine):
    seed_office(engine)
    ctx = ctx_for(engine)
    with pytest.raises(InputError) as caught:
        take_payment(ctx, PaymentRequest(uuid.uuid4().hex, "cheque", (SplitLine("RNT000001", 0),), till_code="TILL9",
                                         effective_date=NOW.date() - timedelta(days=1)))
    problems = "\n".join(caught.value.problems)
    assert "more than £0.00" in problems and "TILL9" in problems and "dated today" in problems
    assert "cheque number" in problems
    with pytest.raises(InputError, match="in the future"):
        take_payment(ctx, PaymentRequest(uuid.uuid4().hex, "bank_transfer", (SplitLine("RNT000001", 100),),
                                         effective_date=NOW.date() + timedelta(days=1)))
    ok = take_payment(ctx, PaymentRequest(uuid.uuid4().hex, "bank_transfer", (SplitLine("RNT000001", 100),),
                                          effective_date=NOW.date() - timedelta(days=3)))
    assert ok.business_date == NOW.date() - timedelta(days=3)


def test_closed_account_and_permission(engine):
    seed_office(engine)
    with engine.begin() as c:
        c.execute(text("UPDATE account SET closed_on = '2026-01-01' WHERE ref = 'RNT000003'"))
    with pytest.raises(InputError, match="closed on 01/01/2026"):
        cash(ctx_for(engine), "RNT000003", 100)
    with pytest.raises(PermissionDenied):
        cash(ctx_for(engine, "options"), "RNT000001", 100)


def test_lookup_by_person_and_name(engine):
    office = seed_office(engine)
    ctx = ctx_for(engine)
    by_person = find_payable_accounts(ctx, person_ref=office.smith_1961)
    assert [(a.ref, a.balance_pence) for a in by_person.accounts] == [("RNT000001", 15250)]
    by_name = find_payable_accounts(ctx, query="smyth")
    assert "FTA000001" in [a.ref for a in by_name.accounts]
    with pytest.raises(NotFound):
        find_payable_accounts(ctx, person_ref="P9999999")


# ------------------------------------------------------------------- reversals


def test_reversal_needs_the_role_names_the_original_and_a_reason(engine):
    seed_office(engine)
    receipt = cash(ctx_for(engine, "reception"), "RNT000001", 9000)
    statement = account_statement(ctx_for(engine, "leader"), "RNT000001", date(2026, 3, 1), NOW.date())
    row = next(r for r in statement.rows if r.receipt == receipt.label)
    with pytest.raises(PermissionDenied, match="payment.reverse"):
        reverse_entry(ctx_for(engine, "reception"), row.entry_id, "wrong_amount")
    leader = ctx_for(engine, "leader")
    with pytest.raises(InputError, match="needs one"):
        reverse_entry(leader, row.entry_id, "other")
    done = reverse_entry(leader, row.entry_id, "wrong_amount", "keyed 90 not 9")
    assert done.original_id == row.entry_id and done.amount_pence == 9000
    assert done.balance_after_pence == 15250
    with pytest.raises(ConflictError, match="already reversed"):
        reverse_entry(leader, row.entry_id, "wrong_amount")
    with pytest.raises(InputError, match="cannot itself be reversed"):
        reverse_entry(leader, done.entry_id, "duplicate")
    with engine.connect() as c:
        rev = c.execute(text("SELECT reverses_id, kind, reason, till_code FROM ledger_entry WHERE id = :i"),
                        {"i": done.entry_id}).one()
    assert rev.reverses_id == row.entry_id and rev.kind == "reversal" and "keyed 90 not 9" in rev.reason
    assert rev.till_code == "TILL1"  # same day, till still open: it comes off the expected takings
    assert till_takings(ctx_for(engine, "reception"), "TILL1").expected_pence == 0
    after = account_statement(leader, "RNT000001", date(2026, 3, 1), NOW.date())
    assert next(r for r in after.rows if r.entry_id == row.entry_id).reversed_by == done.entry_id
    assert get_receipt(leader, receipt.receipt_no).reversed_lines == ("RNT000001",)


# ------------------------------------------------------------------- refunds


def test_refund_requested_by_one_authorised_by_another(engine):
    seed_office(engine)
    reception, leader, income = ctx_for(engine, "reception"), ctx_for(engine, "leader"), ctx_for(engine, "income")
    position = refund_position(reception, "RNT000002")
    assert position.credit_now_pence == 2000 and position.available_pence == 2000
    with pytest.raises(InputError, match="no cash refunds"):
        request_refund(reception, "RNT000002", 2000, "cash", "Mr J Smith", "overpaid")
    with pytest.raises(InputError, match="only £20.00"):
        request_refund(reception, "RNT000002", 2500, "bank_transfer", "Mr J Smith", "overpaid")
    with pytest.raises(InputError, match="not in credit"):
        request_refund(reception, "RNT000001", 100, "bank_transfer", "Mr J Smith", "overpaid")
    key = uuid.uuid4().hex
    refund = request_refund(leader, "RNT000002", 2000, "bank_transfer", "Mr J Smith", "overpaid DD",
                            idempotency_key=key)
    assert request_refund(leader, "RNT000002", 2000, "bank_transfer", "Mr J Smith", "overpaid DD",
                          idempotency_key=key).ref == refund.ref
    assert refund.status == "requested" and refund.ref.startswith("RF")
    with pytest.raises(InputError, match="already requested"):
        request_refund(reception, "RNT000002", 100, "cheque", "Mr J Smith", "again")
    with pytest.raises(PermissionDenied, match="another person must authorise"):
        authorise_refund(leader, refund.ref, refund.version)
    with pytest.raises(PermissionDenied):
        authorise_refund(reception, refund.ref, refund.version)  # reception may not authorise at all
    assert [r.ref for r in pending_refunds(income)] == [refund.ref]
    done = authorise_refund(income, refund.ref, refund.version)
    assert done.status == "authorised" and done.decided_by == "Ian Income" and done.ledger_entry_id
    assert _balance(engine, "RNT000002") == 0
    with pytest.raises(ConflictError, match="already authorised"):
        authorise_refund(income, refund.ref, done.version)
    assert pending_refunds(income) == []


def test_refund_only_of_proven_credit_and_rejection(engine):
    seed_office(engine)
    reception = ctx_for(engine, "reception")
    cash(reception, "RNT000003", 5000)  # today: £50 credit, not yet proven
    position = refund_position(reception, "RNT000003")
    assert position.credit_now_pence == 5000 and position.proven_pence == 0
    with pytest.raises(InputError, match="not yet cleared"):
        request_refund(reception, "RNT000003", 5000, "cheque", "Ms A Khan", "overpaid")
    later = at(reception, NOW + timedelta(days=6))
    refund = request_refund(later, "RNT000003", 5000, "cheque", "Ms A Khan", "overpaid")
    with pytest.raises(InputError, match="say why"):
        reject_refund(at(ctx_for(engine, "leader"), NOW + timedelta(days=6)), refund.ref, refund.version, "")
    rejected = reject_refund(at(ctx_for(engine, "leader"), NOW + timedelta(days=6)), refund.ref, refund.version,
                             "tenant asked to keep credit")
    assert rejected.status == "rejected" and _balance(engine, "RNT000003") == -5000


# ------------------------------------------------------------------- arrangements


def test_arrangement_kept_then_broken_and_listed(engine):
    office = seed_office(engine)
    income = ctx_for(engine, "income")
    start = NOW.date()
    arrangement = create_arrangement(income, "RNT000001", 2000, "weekly", start, note="£20 a week")
    assert arrangement.ref.startswith("AR") and arrangement.total_pence == 15250
    assert len(arrangement.instalments) == 8 and arrangement.status == "kept"
    with pytest.raises(ConflictError, match=f"already has arrangement {arrangement.ref}, agreed by Ian Income at "
                                            "10:30 on 10/03/2026; end it"):
        create_arrangement(income, "RNT000001", 1000, "monthly", start)
    with pytest.raises(InputError, match="owes nothing"):
        create_arrangement(income, "RNT000002", 1000, "monthly", start)
    with pytest.raises(PermissionDenied):
        create_arrangement(ctx_for(engine, "reception"), "FTA000001", 1000, "monthly", start)
    cash(ctx_for(engine, "reception"), "RNT000001", 2000)  # first instalment, on the day
    week2 = at(income, NOW + timedelta(days=13))  # second due 17/03, tolerance to 22/03, now 23/03: missed
    [status] = arrangement_status_for_person(week2, office.smith_1961)
    assert status.status == "broken" and status.missed == 1 and status.shortfall_pence == 2000
    assert arrangement_status_for_person(at(income, NOW + timedelta(days=12)), office.smith_1961)[0].status == "kept"
    broken = broken_arrangements(week2)
    assert [(b.ref, b.person_ref) for b in broken] == [(arrangement.ref, office.smith_1961)]
    assert arrangement_status_for_person(at(income, NOW + timedelta(days=5)), office.smith_1961)[0].status == "kept"
    detail = arrangements_for_account(week2, "RNT000001")[0]
    assert [i.state for i in detail.instalments[:3]] == ["met", "missed", "upcoming"]
    ended = end_arrangement(week2, arrangement.ref, "replaced by APA", detail.version)
    assert ended.status == "ended" and broken_arrangements(week2) == []
    with pytest.raises(ConflictError, match=f"arrangement {arrangement.ref} was already ended by Ian Income at "
                                            r"10:30 on 23/03/2026 \(replaced by APA\); nothing was changed"):
        end_arrangement(week2, arrangement.ref, "again", ended.version)


# ------------------------------------------------------------------- cash-up


def test_cashup_with_variance_signed_off_by_another_and_till_closed(engine):
    seed_office(engine)
    reception, leader = ctx_for(engine, "reception"), ctx_for(engine, "leader")
    cash(reception, "RNT000001", 5000)
    cash(reception, "RNT000003", 2550)
    take_payment(reception, PaymentRequest(uuid.uuid4().hex, "card_counter", (SplitLine("RNT000001", 1000),),
                                           till_code="TILL1", terminal_ref="TXN 00042"))
    take_payment(reception, PaymentRequest(uuid.uuid4().hex, "cheque", (SplitLine("FTA000001", 3000),),
                                           till_code="TILL1", cheque_no="100234"))
    cash(leader, "RNT000001", 700)  # another user's takings on the same till are not mine
    takings = till_takings(reception, "TILL1")
    assert {line.method: line.expected_pence for line in takings.lines} == {"cash": 7550, "cheque": 3000,
                                                                             "card": 1000}
    counts = {2000: 3, 1000: 1, 500: 1, 20: 2}  # £75.40: 10p short
    with pytest.raises(InputError, match="short by £0.10"):
        submit_cashup(reception, "TILL1", counts, {"cheque": 3000, "card": 1000})
    cashup = submit_cashup(reception, "TILL1", counts, {"cheque": 3000, "card": 1000}, "gave 10p too much change")
    assert cashup.variance_pence == -10 and cashup.status == "counted" and cashup.expected_pence == 11550
    assert dict(cashup.denominations) == counts
    with pytest.raises(ConflictError, match="already cashed up"):
        submit_cashup(reception, "TILL1", counts, {"cheque": 3000, "card": 1000}, "again")
    with pytest.raises(InputError, match="cashed up"):
        cash(reception, "RNT000001", 100)  # the till is closed for today
    assert cash(reception, "RNT000001", 100, till="TILL2").till_code == "TILL2"
    with pytest.raises(PermissionDenied):
        sign_off_cashup(reception, cashup.ref, cashup.version)
    assert [c.ref for c in cashups_to_sign_off(leader)] == [cashup.ref]
    signed = sign_off_cashup(leader, cashup.ref, cashup.version)
    assert signed.status == "signed_off" and signed.signed_off_by == "Lee Leader"
    with pytest.raises(ConflictError):
        sign_off_cashup(leader, cashup.ref, signed.version)
    # A phone payment is no counter payment: still allowed after cash-up.
    take_payment(reception, PaymentRequest(uuid.uuid4().hex, "card_phone", (SplitLine("RNT000001", 100),),
                                           terminal_ref="GW-77123"))
    # The next day the till opens again.
    assert cash(at(reception, NOW + timedelta(days=1)), "RNT000001", 100).till_code == "TILL1"


def test_leader_signing_own_cashup_is_refused(engine):
    seed_office(engine)
    leader = ctx_for(engine, "leader")
    cash(leader, "RNT000001", 1000, till="TILL2")
    cashup = submit_cashup(leader, "TILL2", {1000: 1}, {})
    with pytest.raises(PermissionDenied, match="second person"):
        sign_off_cashup(leader, cashup.ref, cashup.version)


# ------------------------------------------------------------------- statements and accounts


def test_statement_for_a_period_with_running_balance(engine):
    seed_office(engine)
    cash(ctx_for(engine), "RNT000001", 1000)
    leader = ctx_for(engine, "leader")
    view = account_statement(leader, "RNT000001", date(2026, 3, 3), NOW.date())
    assert view.opening_pence == 11050  # the row of 02/03 is before the period
    assert [r.amount_pence for r in view.rows] == [11050, -6850, -1000]
    assert view.closing_pence == 14250 == view.balance_now_pence
    assert [r.balance_pence for r in view.rows] == [22100, 15250, 14250]
    lines = statement_lines(view)
    assert any("Opening balance" in line for line in lines) and any("MAIN-000001" in line for line in lines)
    assert statement_pdf(view).startswith(b"%PDF")
    with pytest.raises(InputError, match="swap the dates"):
        account_statement(leader, "RNT000001", NOW.date(), date(2026, 3, 1))


def test_account_list_and_show(engine):
    seed_office(engine)
    ctx = ctx_for(engine, "reception")
    everything = list_accounts(ctx)
    assert [(a.ref, a.type, a.balance_pence) for a in everything] == [
        ("FTA000001", "former_tenant", 64000), ("RNT000001", "rent", 15250), ("RNT000002", "rent", -2000),
        ("RNT000003", "rent", 0)]
    assert [a.ref for a in list_accounts(ctx, arrears_over_pence=20000)] == ["FTA000001"]
    assert show_account(ctx, "rnt000003").as_json() == {"ref": "RNT000003", "type": "rent", "holder": "Ms A Khan",
                                                        "balance_pence": 0}
    with pytest.raises(NotFound):
        show_account(ctx, "RNT404")


def test_counter_payment_after_midnight_goes_to_the_new_day(engine):
    seed_office(engine)
    ctx = at(ctx_for(engine), utc(2026, 6, 30, 23, 30))  # 00:30 on 1 July in the UK (BST)
    receipt = cash(ctx, "RNT000001", 100)
    assert receipt.business_date == date(2026, 7, 1)
