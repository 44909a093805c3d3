"""`duty-tui gdpr sar`: everything about one person, and nobody else's details (both databases)."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from pathlib import Path

from builders import NOW, seed_office
from sqlmodel import select

from duty_tui.areas.housing_options.db.models import HomelessCase, HomelessMember, HomelessPlanStep
from duty_tui.areas.payments.domain.rules import SplitLine
from duty_tui.areas.payments.services.taking import PaymentRequest, take_payment
from duty_tui.areas.trust.services.gdpr import load_policy, subject_access
from duty_tui.core.cli import run
from duty_tui.core.config.settings import Settings
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Alert, AuditEvent, Case, CaseNote, Contact, Household, Person
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import ServiceContext

# What belongs to people other than Aisha Khan (P0000004): none of it may appear in her export.
OTHERS = ["John", "Smith", "Smyth", "Zara", "1961-04-02", "1987-09-14", "1975-01-30", "2015-02-01", "AB123456C",
          "01793 100001", "07700 900002", "Threatened an officer", "Asked balance", "Bernadette", "07700 900555",
          "Cyril", "Zara's own alert", "Okafor"]
# What is Aisha's, seeded below: all of it must appear.
HERS = ["Aisha", "Khan", "1987-06-05", "07700 900123", "Urdu interpreter needed", "Partner made threats in 2025",
        "Asked about rent statement", "Damp in bedroom", "Mould back in bedroom", "Sofa surfing at sister's",
        "Register with three letting agents", "12 Mill Lane" if False else "9 Mill Lane", "RNT000003", "T00003",
        "H0000003", "C0000001", "HL000001"]


def ctx_for(engine, username: str | None = "admin", now=NOW) -> ServiceContext:
    ctx = ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal="test-terminal", clock=lambda: now)
    return ctx.as_actor(find_actor(ctx, username)) if username else ctx


def seed_extra(engine) -> None:
    """Aisha: restricted alert, contact by a third party, case note, homelessness approach, payment by a relative.

    Others: an alert on her daughter Zara, a contact about John Smith.
    """
    with session_scope(engine, write=True) as s:
        by_ref = {p.ref: p for p in s.exec(select(Person)).all()}
        aisha, zara, john = by_ref["P0000004"], by_ref["P0000005"], by_ref["P0000001"]
        hh = s.exec(select(Household).where(Household.ref == "H0000003")).one()
        s.add(Alert(person_id=aisha.id, category="domestic_abuse", summary="DA: see restricted detail",
                    detail="Partner made threats in 2025", restricted=True, raised_on=date(2025, 5, 1)))
        s.add(Alert(person_id=zara.id, category="other", summary="Zara's own alert", detail="Zara's own alert detail",
                    restricted=True, raised_on=date(2025, 5, 1)))
        s.add(Contact(at=NOW - timedelta(days=2), channel="phone", person_id=aisha.id, reason="rent.balance",
                      outcome="resolved", notes="Asked about rent statement", third_party_name="Bernadette Okafor",
                      third_party_phone="07700 900555", third_party_relationship="friend"))
        s.add(Contact(at=NOW - timedelta(days=2), channel="phone", person_id=john.id, reason="rent.balance",
                      outcome="resolved", notes="Asked balance again"))
        case = s.exec(select(Case).where(Case.ref == "C0000001")).one()
        s.add(CaseNote(case_id=case.id, at=NOW - timedelta(days=1), text="Mould back in bedroom"))
        hcase = Case(ref="HL000001", case_type="homelessness", status="open", person_id=aisha.id,
                     household_id=hh.id, summary="Homelessness approach", opened_at=NOW - timedelta(days=5))
        s.add(hcase)
        s.flush()
        hc = HomelessCase(case_id=hcase.id, person_id=aisha.id, household_id=hh.id, approach_date=date(2026, 3, 5),
                          notes="Sofa surfing at sister's", household_text="Zara, daughter, born 2015-02-01",
                          loss_reason="family_no_longer_willing", children=1)
        s.add(hc)
        s.flush()
        s.add(HomelessMember(homeless_case_id=hc.id, person_id=zara.id, relationship="child", age=11,
                             date_of_birth=date(2015, 2, 1)))
        s.add(HomelessPlanStep(homeless_case_id=hc.id, party="applicant", text="Register with three letting agents",
                               created_at=NOW))
    ctx = ctx_for(engine, "reception")
    take_payment(ctx, PaymentRequest(uuid.uuid4().hex, "cash", (SplitLine("RNT000003", 2500),), till_code="TILL1",
                                     paid_by="Cyril Okafor"))


def _export_text(out: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(out.iterdir()))


def test_sar_holds_everything_about_the_person_and_nobody_elses_details(engine, tmp_path):
    seed_office(engine)
    seed_extra(engine)
    out = tmp_path / "sar"
    summary = subject_access(ctx_for(engine), "p0000004", out)
    assert sorted(p.name for p in out.iterdir()) == ["report.txt", "sar.json"]
    assert summary.person_ref == "P0000004"
    text = _export_text(out)
    for needle in HERS:
        assert needle in text, needle
    for needle in OTHERS:
        assert needle not in text, needle
    document = json.loads((out / "sar.json").read_text(encoding="utf-8"))
    sections = document["sections"]
    assert document["person"]["ref"] == "P0000004" and document["person"]["date_of_birth"] == "1987-06-05"
    assert {a["category"] for a in sections["alerts"]} == {"interpreter", "domestic_abuse"}
    assert sections["households"][0]["other_members"] == [
        {"person": "another household member", "relationship": "child", "is_lead": False, "joined_on": None,
         "left_on": None}]
    assert [c["third_party_name"] for c in sections["contacts"]] == ["[third party]"]
    assert {c["ref"] for c in sections["cases"]} == {"C0000001", "HL000001"}
    assert sections["homelessness_household"] == [
        {"case_ref": "HL000001", "person": "another household member", "relationship": "child"}]
    assert sections["accounts"][0]["ref"] == "RNT000003" and sections["accounts"][0]["balance_pence"] == -2500
    assert len(sections["ledger"]) == 3 and sections["payments"][0]["paid_by"] == "[third party]"
    assert sections["payments"][0]["total_pence"] == 2500
    # The export is audited on the person, and the access log shows who has seen the record.
    with session_scope(engine) as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "gdpr.sar")).all()
    assert [(e.entity, e.entity_id, e.actor) for e in events] == [("person", "P0000004", "admin")]
    assert [(e["staff"], e["action"], e["record"]) for e in sections["access_log"]] == [
        ("reception", "payment.take", "payment MAIN-000001")]


def test_sar_cli_refuses_wrong_input_and_needs_gdpr_export(engine, db_url, tmp_path, capsys):
    seed_office(engine)
    out = tmp_path / "out"
    code = run(["--db", db_url, "gdpr", "sar", "P0000001", "--out", str(out), "--as", "reception"])
    _o, err = capsys.readouterr()
    assert code == 2 and "gdpr.export" in err and not out.exists()
    code = run(["--db", db_url, "gdpr", "sar", "P9999999", "--out", str(out), "--as", "admin"])
    _o, err = capsys.readouterr()
    assert code == 2 and "P9999999" in err and "Traceback" not in err and not out.exists()
    full = tmp_path / "full"
    full.mkdir()
    (full / "x.txt").write_text("keep me")
    code = run(["--db", db_url, "gdpr", "sar", "P0000001", "--out", str(full), "--as", "admin"])
    _o, err = capsys.readouterr()
    assert code == 2 and "not empty" in err and sorted(p.name for p in full.iterdir()) == ["x.txt"]
    code = run(["--db", db_url, "gdpr", "sar", "P0000001", "--out", str(out), "--as", "admin"])
    stdout, err = capsys.readouterr()
    assert code == 0 and stdout == "" and "P0000001" in err
    report = (out / "report.txt").read_text(encoding="utf-8")
    assert "Threatened an officer with a knife" in report and "Zara" not in report and "Aisha" not in report
    assert json.loads((out / "sar.json").read_text(encoding="utf-8"))["person"]["ni_number"] == "AB123456C"


def test_retention_policy_errors_name_file_and_line(tmp_path):
    import shutil

    import pytest

    from duty_tui.core.domain.errors import EnvironmentProblem

    data = tmp_path / "data"
    shutil.copytree(Path(__file__).resolve().parents[3] / "data", data)
    policy = load_policy(data)
    assert policy.retention["homelessness_case"].years == 6 and policy.sar.redact_household_members
    path = data / "trust" / "retention.toml"
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("[retention.reception_visit]\nyears = 1", "[retention.reception_visit]\nyears = 0"))
    with pytest.raises(EnvironmentProblem) as bad:
        load_policy(data)
    line = good.splitlines().index("[retention.reception_visit]") + 1
    assert f"retention.toml:{line}:" in bad.value.message and "years" in bad.value.message
    path.write_text(good.replace("redact_household_members = true", "redact_household_members = 1"))
    with pytest.raises(EnvironmentProblem, match="redact_household_members must be true or false"):
        load_policy(data)


# --- an export that fails part way, and hostile text in the files (issue 10, items 15 and 16) ---


def _audit_actions(engine, action_prefix: str) -> list[tuple[str, str, str, str | None]]:
    with session_scope(engine) as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.action.startswith(action_prefix))
                        .order_by(AuditEvent.id)).all()
    return [(e.action, e.entity, e.entity_id, e.detail) for e in events]


def test_sar_on_a_full_disk_leaves_nothing_and_is_audited_as_a_failed_attempt(engine, db_url, tmp_path, capsys,
                                                                              monkeypatch):
    import errno

    from duty_tui.areas.trust.services import gdpr

    seed_office(engine)
    real_write = gdpr._write_file

    def disk_fills_on_the_second_file(path, text):
        if path.name == "report.txt":  # sar.json went in whole; the report gets half way
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text[: len(text) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")
        real_write(path, text)

    monkeypatch.setattr(gdpr, "_write_file", disk_fills_on_the_second_file)
    parent = tmp_path / "sar"
    parent.mkdir()
    empty = parent / "given-empty"
    empty.mkdir()
    for out in (parent / "new", empty):
        code = run(["--db", db_url, "gdpr", "sar", "P0000004", "--out", str(out), "--as", "admin"])
        err = capsys.readouterr().err
        assert code == 3, err
        assert "disk is full" in err and "ENOSPC" in err and "gdpr.sar.failed" in err and "Traceback" not in err
        # Nothing half-written anywhere: not in DIR, not in a staging folder beside it.
        assert sorted(p.name for p in parent.iterdir()) == ["given-empty"]
        assert list(empty.iterdir()) == []
    assert [(a, e, i) for a, e, i, _d in _audit_actions(engine, "gdpr.sar")] == [
        ("gdpr.sar.failed", "person", "P0000004")] * 2
    assert json.loads(_audit_actions(engine, "gdpr.sar")[0][3]) == {
        "step": "writing", "error": "No space left on device (ENOSPC)"}
    # With room again, the same folder takes the whole export, audited as an export.
    monkeypatch.setattr(gdpr, "_write_file", real_write)
    assert run(["--db", db_url, "gdpr", "sar", "P0000004", "--out", str(empty), "--as", "admin"]) == 0
    assert sorted(p.name for p in empty.iterdir()) == ["report.txt", "sar.json"]
    assert [a for a, *_rest in _audit_actions(engine, "gdpr.sar")] == ["gdpr.sar.failed"] * 2 + ["gdpr.sar"]


HOSTILE_FORENAME = "Ai\u202esha\x1b[2J\x9b31m\u2066"
HOSTILE_NOTE = "Rent\u202e\u200fdue\r\x07\x7f\u2028next\u0085line"


def test_sar_files_show_controls_and_bidi_overrides_and_json_keeps_the_exact_values(engine, tmp_path):
    seed_office(engine)
    with session_scope(engine, write=True) as s:
        aisha = s.exec(select(Person).where(Person.ref == "P0000004")).one()
        aisha.forename = HOSTILE_FORENAME
        s.add(aisha)
        s.add(Contact(at=NOW - timedelta(days=1), channel="phone", person_id=aisha.id, reason="rent.balance",
                      outcome="resolved", notes=HOSTILE_NOTE))
    out = tmp_path / "sar"
    subject_access(ctx_for(engine), "P0000004", out)

    def raw_controls(text: str, marks: str = "") -> list[str]:
        return sorted({hex(ord(ch)) for ch in text if (ord(ch) < 0x20 and ch != "\n") or 0x7F <= ord(ch) < 0xA0
                       or 0x2028 <= ord(ch) <= 0x202E or 0x2066 <= ord(ch) <= 0x2069 or ch in marks})

    report = (out / "report.txt").read_text(encoding="utf-8")
    assert raw_controls(report) == []  # the plain RLM mark stays, as on screen: right-to-left names need it
    assert "Ai\ufffdsha\u241b[2J\ufffd31m\ufffd" in report  # shown, as the app shows them (validators.inert)
    raw_json = (out / "sar.json").read_text(encoding="utf-8")
    assert raw_controls(raw_json, marks="\u200e\u200f") == []  # in JSON even the plain marks are escaped
    assert "\\u202e" in raw_json and "\\u009b" in raw_json and "\\u001b" in raw_json
    document = json.loads(raw_json)
    assert document["person"]["forename"] == HOSTILE_FORENAME
    assert [c["notes"] for c in document["sections"]["contacts"]] == [HOSTILE_NOTE]


def seed_rich(engine) -> None:
    """Aisha (P0000004) with a record of every kind the export collects: seed_extra's, plus a repair, a
    safeguarding concern and a callback logged at the desk, a reception visit, a refund request and an
    arrangement to pay on another account."""
    from duty_tui.areas.frontdesk.services import callers as queue_callers
    from duty_tui.areas.frontdesk.services import contacts
    from duty_tui.areas.frontdesk.services.contact_draft import ContactDraft
    from duty_tui.areas.payments.services.arrangements import create_arrangement
    from duty_tui.areas.payments.services.refunds import request_refund

    seed_extra(engine)
    desk = ctx_for(engine, "reception")
    visit = queue_callers.add_arrival(desk, name="Aisha Khan")
    queue_callers.call_next(desk, "Desk 1", visit.id)
    contacts.log_contact(desk, ContactDraft(
        channel="face_to_face", reasons=("repairs.report", "safeguarding.adult"), outcome="callback",
        person_ref="P0000004", notes="Ceiling leaking over the cooker; not coping alone",
        callback_phone="07700 900123", visit_id=visit.id))
    later = ctx_for(engine, "leader", now=NOW + timedelta(days=10))  # once the payment has cleared
    request_refund(later, "RNT000003", 1000, "bank_transfer", "Aisha Khan", "overpaid")
    create_arrangement(ctx_for(engine, "income"), "RNT000001", 500, "weekly", NOW.date() + timedelta(days=7))


def test_sar_sections_keep_their_order_and_shape_for_a_person_with_every_kind_of_record(engine, tmp_path):
    # gather() reads each kind of record in its own collector; the document they build together keeps
    # one order of sections and the fields of each (councils' tools read sar.json).
    seed_office(engine)
    seed_rich(engine)
    out = tmp_path / "sar"
    subject_access(ctx_for(engine), "P0000004", out)
    sections = json.loads((out / "sar.json").read_text(encoding="utf-8"))["sections"]
    assert list(sections) == [
        "alerts", "households", "tenancies", "accounts", "ledger", "payments", "refunds", "arrangements", "cases",
        "case_notes", "contacts", "contact_corrections", "follow_ups", "case_events", "complaint_stages", "repairs",
        "safeguarding_concerns", "reception_visits", "homelessness_cases", "homelessness_household",
        "homelessness_support_needs", "homelessness_stage_moves", "homelessness_plan_steps", "homelessness_notices",
        "homelessness_non_cooperation", "homelessness_reviews", "homelessness_placements", "other_records",
        "access_log"]
    counts = {name: len(rows) for name, rows in sections.items() if rows}
    assert {k: counts.get(k, 0) for k in ("alerts", "households", "tenancies", "accounts", "payments", "refunds",
                                           "cases", "contacts", "follow_ups", "repairs", "safeguarding_concerns",
                                           "reception_visits", "homelessness_cases", "homelessness_plan_steps")} == {
        "alerts": 2, "households": 1, "tenancies": 1, "accounts": 1, "payments": 1, "refunds": 1, "cases": 4,
        "contacts": 2, "follow_ups": 1, "repairs": 1, "safeguarding_concerns": 1, "reception_visits": 1,
        "homelessness_cases": 1, "homelessness_plan_steps": 1}
    assert sections["arrangements"] == []  # RNT000001 is John Smith's, not hers
    assert sections["refunds"][0]["payee"] == "Aisha Khan" and sections["refunds"][0]["account_ref"] == "RNT000003"
    assert sections["safeguarding_concerns"][0]["about"] == "the subject"
    assert sections["follow_ups"][0]["kind"] == "callback" and sections["follow_ups"][0]["team"] == "repairs"
    assert sections["reception_visits"][0]["caller_name"] == "Aisha Khan"
    assert {e["action"] for e in sections["access_log"]} >= {"payment.take", "contact.log", "refund.request",
                                                               "callers.arrive"}
    case_keys = {"ref", "case_type", "status", "summary", "team", "assignee", "tenancy_ref"}
    assert all(case_keys <= set(c) for c in sections["cases"])
    assert not any(k.endswith("_id") for c in sections["cases"] for k in c)
