"""Direct debits on both databases: mandates checked with the UK modulus rules, advance notices at least 10
Bacs working days ahead, the collection run (Standard 18 and AUDDIS files, each collection posted once even
when two runs meet), ARUDD unpaid items re-presented once, ADDACS amendments; and `dd notice-by` on the CLI."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime

import pytest
from builders import seed_office
from pay_helpers import ctx_for
from sqlalchemy import text

from duty_tui.areas.payments.domain.mandate import MandateInput
from duty_tui.areas.payments.services.dd_returns import apply_returns
from duty_tui.areas.payments.services.dd_runs import notices_due, run_collections, send_notices
from duty_tui.areas.payments.services.direct_debit import (
    account_mandates,
    add_mandate,
    change_mandate,
    mandate_amount_changed,
    set_mandate_status,
)
from duty_tui.core.cli import run
from duty_tui.core.domain.errors import ConflictError, InputError, PermissionDenied

FORM = MandateInput("RNT000001DD", "John Smith", 1, "charges", 40000, 2500)
GOOD = ("08-99-99", "66374958")  # Vocalink's published test case 1


def _at(engine, day: date, user: str = "admin"):
    return ctx_for(engine, user, now=datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC))


def _dd_rows(engine) -> list[tuple]:
    with engine.connect() as c:
        return [(r[0], r[1], date.fromisoformat(str(r[2])), r[3]) for r in c.execute(text(
            "SELECT kind, amount_pence, effective_date, external_id FROM ledger_entry WHERE method = 'direct_debit' "
            "AND (external_id LIKE 'dd:%' OR reference = 'dd_unpaid') ORDER BY id")).all()]


def _set_up(engine):
    """A mandate added on Tuesday 10 March 2026 for 1 April, its notice sent, its 0N lodged on 11 March."""
    seed_office(engine)
    view = add_mandate(_at(engine, date(2026, 3, 10)), "RNT000001", FORM, *GOOD, date(2026, 4, 1))
    due = notices_due(_at(engine, date(2026, 3, 10)))
    assert [(n.reference, n.kind, n.collection_date, n.amount_pence, n.notice_by) for n in due] == [
        ("RNT000001DD", "first", date(2026, 4, 1), 42500, date(2026, 3, 18))]
    documents = send_notices(_at(engine, date(2026, 3, 10)), [due[0].notice_id])
    assert "£425.00" in documents[0].text and "01 April 2026" in documents[0].text and "4958" in documents[0].text
    lodged = run_collections(_at(engine, date(2026, 3, 11)), date(2026, 3, 11))
    assert lodged.lodged == [("RNT000001DD", "0N")] and lodged.collected == []
    assert lodged.auddis_file.splitlines()[1][15:17] == "0N"
    return view


def test_a_sort_code_failing_the_modulus_check_is_refused_naming_the_rule_and_the_fix(engine):
    seed_office(engine)
    with pytest.raises(InputError) as refused:
        add_mandate(_at(engine, date(2026, 3, 10)), "RNT000001", FORM, "08-99-99", "66374959", date(2026, 4, 1))
    assert "modulus check" in refused.value.message and "08-99-99" in refused.value.message
    assert "statement" in refused.value.message
    bad = MandateInput("DDIC1234", "Jöhn", 30, "fixed", 0)
    with pytest.raises(InputError) as refused:
        add_mandate(_at(engine, date(2026, 3, 10)), "RNT000001", bad, *GOOD, date(2026, 3, 12))
    problems = " | ".join(refused.value.problems)
    for words in ("DDIC", "Bacs takes only", "1 to 28", "more than £0.00", "too soon", "2026-03-24"):
        assert words in problems
    with pytest.raises(PermissionDenied):
        add_mandate(_at(engine, date(2026, 3, 10), "reception"), "RNT000001", FORM, *GOOD, date(2026, 4, 1))


def test_the_account_number_is_masked_without_rents_manage_and_every_view_is_audited(engine):
    _set_up(engine)
    assert account_mandates(_at(engine, date(2026, 3, 12)), "RNT000001")[0].account_number == "66374958"
    seen = account_mandates(_at(engine, date(2026, 3, 12), "reception"), "RNT000001")[0]
    assert seen.account_number == "****4958" and seen.sort_code == "08-99-99"
    assert [e.event for e in seen.history] == ["added"]
    with engine.connect() as c:
        assert c.execute(text("SELECT COUNT(*) FROM audit_event WHERE action = 'dd.mandates_viewed'")).scalar() == 2


def test_collections_post_once_with_their_codes_and_the_run_writes_standard_18(engine):
    _set_up(engine)
    first = run_collections(_at(engine, date(2026, 3, 30)), date(2026, 4, 1))
    assert first.collected == [("RNT000001DD", "01", 42500)]
    lines = first.collection_file.splitlines()
    assert lines[0].startswith("UHL1 26091") and all(len(line) == 100 for line in lines[1:-1])
    record = lines[1]
    assert record[:6] == "089999" and record[6:14] == "66374958" and record[15:17] == "01"
    assert record[35:46] == "00000042500" and record[64:82].strip() == "RNT000001DD"
    assert lines[2][15:17] == "99" and lines[-1].startswith("UTL10000000042500")
    again = run_collections(_at(engine, date(2026, 3, 30)), date(2026, 4, 1))
    assert again.collected == []
    regular = run_collections(_at(engine, date(2026, 4, 29)), date(2026, 5, 1))
    assert regular.collected == [("RNT000001DD", "17", 42500)]
    assert _dd_rows(engine) == [("payment", -42500, date(2026, 4, 1), "dd:RNT000001DD:2026-04-01"),
                                ("payment", -42500, date(2026, 5, 1), "dd:RNT000001DD:2026-05-01")]
    with pytest.raises(InputError, match="not a Bacs working day"):
        run_collections(_at(engine, date(2026, 3, 30)), date(2026, 4, 6))  # Easter Monday


def test_a_change_of_amount_is_collected_only_once_its_notice_has_gone(engine):
    view = _set_up(engine)
    run_collections(_at(engine, date(2026, 3, 30)), date(2026, 4, 1))
    changed = change_mandate(_at(engine, date(2026, 4, 20)), "RNT000001DD", view.version, amount_pence=45000)
    with pytest.raises(ConflictError):
        change_mandate(_at(engine, date(2026, 4, 20)), "RNT000001DD", view.version, top_up_pence=0)
    due = notices_due(_at(engine, date(2026, 4, 20)))
    # 1 May is under 10 working days away (the early May holiday is the 4th): the change waits for 1 June.
    assert [(n.kind, n.collection_date, n.amount_pence) for n in due] == [("change", date(2026, 6, 1), 47500)]
    may = run_collections(_at(engine, date(2026, 4, 29)), date(2026, 5, 1))
    assert may.collected == [("RNT000001DD", "17", 42500)]  # the old, noticed amount
    send_notices(_at(engine, date(2026, 5, 5)), [due[0].notice_id])
    june = run_collections(_at(engine, date(2026, 5, 28)), date(2026, 6, 1))
    assert june.collected == [("RNT000001DD", "17", 47500)]
    assert changed.version == view.version + 1 and [e.event for e in changed.history] == ["added", "changed"]


def test_the_rent_review_hook_owes_change_notices_for_charges_mandates(engine):
    _set_up(engine)
    changed = mandate_amount_changed(_at(engine, date(2026, 3, 12)), "RNT000001", 41000, date(2026, 4, 6))
    assert [m.amount_pence for m in changed] == [41000]
    kinds = [(n.kind, n.collection_date, n.amount_pence) for n in notices_due(_at(engine, date(2026, 3, 12)))]
    assert kinds == [("change", date(2026, 5, 1), 43500)]


def _arudd(tmp_rows: list[str]) -> bytes:
    return ("return_id,date,reference,collection_date,amount_pence,reason_code\n" + "\n".join(tmp_rows)).encode()


def test_an_unpaid_item_is_reversed_and_re_presented_once_with_notice(engine):
    _set_up(engine)
    run_collections(_at(engine, date(2026, 3, 30)), date(2026, 4, 1))
    run_collections(_at(engine, date(2026, 4, 29)), date(2026, 5, 1))
    file = _arudd(["U1,2026-05-06,RNT000001DD,2026-05-01,42500,0"])
    summary = apply_returns(_at(engine, date(2026, 5, 6)), "arudd", file)
    assert "re-presentation on 2026-05-20" in summary.applied[0] and summary.late == 0
    assert apply_returns(_at(engine, date(2026, 5, 6)), "arudd", file).skipped == 1
    rows = _dd_rows(engine)
    assert rows[-1][:3] == ("reversal", 42500, date(2026, 5, 6))
    due = notices_due(_at(engine, date(2026, 5, 6)))
    assert [(n.kind, n.collection_date) for n in due] == [("represent", date(2026, 5, 20))]
    send_notices(_at(engine, date(2026, 5, 6)), [due[0].notice_id])
    again = run_collections(_at(engine, date(2026, 5, 18)), date(2026, 5, 20))
    assert again.collected == [("RNT000001DD", "18", 42500)]
    second = apply_returns(_at(engine, date(2026, 5, 26)), "arudd",
                           _arudd(["U2,2026-05-26,RNT000001DD,2026-05-20,42500,0"]))
    assert "already re-presented once" in second.applied[0]


def test_a_returns_file_is_checked_whole_and_problems_are_named_by_line(engine):
    _set_up(engine)
    bad = _arudd(["U1,2026-05-06,RNT000001DD,2026-05-01,42500,9", "U2,someday,NOPE,2026-05-01,12,0"])
    with pytest.raises(InputError) as refused:
        apply_returns(_at(engine, date(2026, 5, 6)), "arudd", bad)
    assert refused.value.problems[0].startswith("line 2: reason_code") and "line 3: date" in refused.value.problems[1]
    unknown = _arudd(["U1,2026-05-06,RNT000001DD,2026-05-01,42500,0"])
    with pytest.raises(InputError, match="line 2: no collection"):
        apply_returns(_at(engine, date(2026, 5, 6)), "arudd", unknown)
    assert _dd_rows(engine) == []


def test_addacs_amends_and_cancels_within_three_working_days(engine):
    view = _set_up(engine)
    header = "return_id,date,reference,reason_code,new_sort_code,new_account_number\n"
    moved = apply_returns(_at(engine, date(2026, 3, 12)), "addacs",
                          (header + "A1,2026-03-12,RNT000001DD,C,20-09-15,41011166\n").encode())
    assert "bank details updated" in moved.applied[0]
    assert account_mandates(_at(engine, date(2026, 3, 12)), "RNT000001")[0].sort_code == "20-09-15"
    with pytest.raises(InputError, match="line 2: new details"):
        apply_returns(_at(engine, date(2026, 3, 12)), "addacs",
                      (header + "A2,2026-03-12,RNT000001DD,C,08-99-99,66374959\n").encode())
    late = apply_returns(_at(engine, date(2026, 3, 20)), "addacs", (header + "A3,2026-03-12,RNT000001DD,1,,\n").encode())
    assert late.late == 1 and "mandate cancelled" in late.applied[0]
    assert run_collections(_at(engine, date(2026, 3, 30)), date(2026, 4, 1)).collected == []
    with pytest.raises(InputError, match="cancelled"):
        set_mandate_status(_at(engine, date(2026, 3, 20)), "RNT000001DD", view.version + 2, "resume")


def test_pause_stops_collection_and_cancel_lodges_0c(engine):
    view = _set_up(engine)
    paused = set_mandate_status(_at(engine, date(2026, 3, 20)), "RNT000001DD", view.version, "pause", "payer asked")
    assert run_collections(_at(engine, date(2026, 3, 30)), date(2026, 4, 1)).collected == []
    cancelled = set_mandate_status(_at(engine, date(2026, 3, 30)), "RNT000001DD", paused.version, "cancel")
    assert [e.event for e in cancelled.history] == ["added", "paused", "cancelled"]
    assert run_collections(_at(engine, date(2026, 4, 1)), date(2026, 4, 2)).lodged == [("RNT000001DD", "0C")]


def test_two_collection_runs_at_once_post_each_collection_once(engine):
    _set_up(engine)
    outcomes: list[object] = []

    def go():
        try:
            outcomes.append(run_collections(_at(engine, date(2026, 3, 30)), date(2026, 4, 1)))
        except ConflictError as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len([r for r in _dd_rows(engine) if r[0] == "payment"]) == 1
    assert len(outcomes) == 2


def test_dd_notice_by_on_the_command_line(capsys):
    assert run(["dd", "notice-by", "2027-03-29", "--json"]) == 0
    out, _ = capsys.readouterr()
    assert json.loads(out) == {"collection": "2027-03-30", "notice_by": "2027-03-12"}
    assert run(["dd", "notice-by", "2027-03-30"]) == 0
    assert capsys.readouterr().out == "collection 2027-03-30; advance notice by 2027-03-12\n"
    assert run(["dd", "notice-by", "30/02/2027", "--json"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "not a date" in err and "Traceback" not in err


def test_dd_commands_collect_write_private_files_and_refuse_a_bad_returns_file(engine, db_url, capsys, tmp_path):
    _set_up(engine)
    assert run(["--db", db_url, "dd", "mandates", "RNT000001", "--json", "--as", "reception"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed[0]["account_number"] == "****4958" and listed[0]["lodgement"] is None  # no rents.manage: masked
    code = run(["--db", db_url, "dd", "collect", "--date", "2026-04-01", "--out", str(tmp_path), "--json",
                "--as", "admin"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out)["collected"] == 1
    written = tmp_path / "dd_collection_2026-04-01.txt"
    assert written.stat().st_mode & 0o777 == 0o600 and "RNT000001DD" in written.read_text()
    bad = tmp_path / "arudd.csv"
    bad.write_text("return_id,date,reference,collection_date,amount_pence,reason_code\nU1,2026-05-06,X,nope,1,Z\n")
    assert run(["--db", db_url, "dd", "returns", "arudd", str(bad), "--as", "admin"]) == 2
    _, err = capsys.readouterr()
    assert "line 2: reason_code" in err and "line 2: collection_date" in err and "Traceback" not in err


def test_a_notice_sent_too_late_moves_the_collection_to_the_next_date_it_can_reach(engine):
    seed_office(engine)
    add_mandate(_at(engine, date(2026, 3, 10)), "RNT000001", FORM, *GOOD, date(2026, 4, 1))
    late = notices_due(_at(engine, date(2026, 3, 20)))[0]
    assert late.notice_by == date(2026, 3, 18)
    letter = send_notices(_at(engine, date(2026, 3, 20)), [late.notice_id])[0]
    assert "01 May 2026" in (letter.text or "")
    run_collections(_at(engine, date(2026, 3, 23)), date(2026, 3, 23))  # lodges the 0N
    assert run_collections(_at(engine, date(2026, 3, 30)), date(2026, 4, 1)).collected == []
    assert run_collections(_at(engine, date(2026, 4, 29)), date(2026, 5, 1)).collected == [("RNT000001DD", "01", 42500)]


def test_the_tenants_access_log_shows_who_set_up_and_viewed_their_direct_debit(engine):
    from duty_tui.core.services.audit_views import person_access_log

    _set_up(engine)
    account_mandates(_at(engine, date(2026, 3, 12), "reception"), "RNT000001")
    log = person_access_log(_at(engine, date(2026, 3, 12)), "P0000001")
    actions = {e.action for e in log.entries}
    assert {"dd.mandate_added", "dd.notice_sent", "dd.mandates_viewed"} <= actions, actions
