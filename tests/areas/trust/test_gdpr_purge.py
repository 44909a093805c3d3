"""`duty-tui gdpr purge`: anonymises exactly what is past retention, keeps totals and statistics (both databases)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from builders import NOW, person, seed_office
from sqlalchemy import func, select, text
from test_gdpr_sar import ctx_for

from duty_tui.areas.frontdesk.db.models import FollowUp, ReceptionVisit
from duty_tui.areas.frontdesk.services.stats import duty_statistics
from duty_tui.areas.housing_options.db.models import HomelessCase, HomelessMember, HomelessMove, HomelessPlacement
from duty_tui.areas.housing_options.services.statistics import quarter_statistics
from duty_tui.areas.payments.db.models import Payment
from duty_tui.areas.payments.services.accounts import list_accounts
from duty_tui.areas.trust.services.gdpr import subject_access
from duty_tui.areas.trust.services.gdpr_purge import purge
from duty_tui.core.cli import run
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import (
    Account,
    Alert,
    Case,
    CaseNote,
    Contact,
    Household,
    HouseholdMember,
    LedgerEntry,
    Office,
    Property,
    Tenancy,
)
from duty_tui.core.services.audit import verify_chain


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


OLD_DETAILS = ["Olwen", "Oldcastle", "1950-07-07", "ZZ998877A", "01632 960001", "olwen@example.org",
               "Moved to Spain", "Neighbour dispute 2017", "Knife at the door", "Her brother Bryn",
               "07700 900777", "Sofa at a friend's", "Flat 2, Old Hostel", "Barnaby", "Ms O Oldcastle",
               "1980-03-03", "Gave keys back"]


def seed_old(engine) -> None:
    """Olwen Oldcastle (P0000010): former tenant, tenancy ended 2018, balance 0, homeless case closed 2019.

    Owen Owing (P0000011): former tenant since 2018 but still owes money (kept). John Smith (P0000001,
    live) called reception in 2024 (the visit is past its one-year retention) and in 2018 (contact past six years).
    """
    with session_scope(engine, write=True) as s:
        office = s.exec(select(Office)).one()[0]
        olwen = person("P0000010", "Olwen", "Oldcastle", date(1950, 7, 7), "01632 960001", ni_number="ZZ998877A",
                       email="olwen@example.org")
        owen = person("P0000011", "Owen", "Owing", date(1960, 1, 1))
        barnaby = person("P0000012", "Barnaby", "Oldcastle", date(1980, 3, 3))
        for p in (olwen, owen, barnaby):
            p.created_at = utc(2010, 1, 1)
        carol = person("P0000013", "Carol", "Casey", date(1970, 2, 2))
        s.add_all([olwen, owen, barnaby])
        s.add(carol)
        s.flush()
        s.add(Case(ref="C0000013", case_type="asb", status="open", person_id=carol.id, summary="Still open",
                   opened_at=utc(2015, 1, 1)))  # an open case: Carol is never anonymised
        props = [Property(ref=f"PR00001{i}", address_line1=f"{i} Old Road", town="Swindon", postcode="SN9 9ZZ",
                          postcode_key="SN99ZZ", property_type="flat") for i in (0, 1)]
        s.add_all(props)
        s.flush()
        hhs = [Household(ref=f"H000001{i}", property_id=props[i].id) for i in (0, 1)]
        s.add_all(hhs)
        s.flush()
        s.add(HouseholdMember(household_id=hhs[0].id, person_id=olwen.id, relationship="lead tenant", is_lead=True))
        s.add(HouseholdMember(household_id=hhs[0].id, person_id=barnaby.id, relationship="other adult", is_lead=False))
        s.add(HouseholdMember(household_id=hhs[1].id, person_id=owen.id, relationship="lead tenant", is_lead=True))
        tens = [Tenancy(ref=f"T0001{i}", property_id=props[i].id, household_id=hhs[i].id, tenancy_type="secure",
                        start_date=date(2005, 1, 3), end_date=date(2018, 1, 7), status="ended") for i in (0, 1)]
        s.add_all(tens)
        s.flush()
        accs = [Account(ref="RNT000010", account_type="rent", tenancy_id=tens[0].id, holder_name="Ms O Oldcastle",
                        opened_on=date(2005, 1, 3), closed_on=date(2018, 1, 7)),
                Account(ref="RNT000011", account_type="rent", tenancy_id=tens[1].id, holder_name="Mr O Owing",
                        opened_on=date(2005, 1, 3), closed_on=date(2018, 1, 7))]
        s.add_all(accs)
        s.flush()
        for account, rows in ((accs[0], [9000, -4000, -5000]), (accs[1], [9000, -4000])):
            for i, amount in enumerate(rows):
                s.add(LedgerEntry(account_id=account.id, effective_date=date(2017, 12, 1 + i), kind="rent_debit"
                                  if amount > 0 else "payment", amount_pence=amount, posted_at=utc(2017, 12, 1 + i),
                                  office_id=office.id, receipt_no=900 + i if amount < 0 and account is accs[0] else None,
                                  reference="RENT"))
        s.add(Payment(office_id=office.id, receipt_no=901, idempotency_key="old-901", business_date=date(2017, 12, 2),
                      taken_at=utc(2017, 12, 2, 10), channel="counter", method="cash", total_pence=4000,
                      paid_by="Her brother Bryn"))
        s.add(Alert(person_id=olwen.id, category="violent_aggressive", summary="Knife at the door",
                    detail="Knife at the door, 2016", restricted=True, raised_on=date(2016, 1, 1)))
        s.add(Contact(at=utc(2017, 11, 20, 11), channel="phone", person_id=olwen.id, reason="asb.report",
                      outcome="resolved", notes="Neighbour dispute 2017", third_party_name="Her brother Bryn",
                      third_party_phone="07700 900777", third_party_relationship="family"))
        from duty_tui.core.db.models import Person

        john = s.exec(select(Person).where(Person.ref == "P0000001")).one()[0]
        s.add(Contact(at=utc(2018, 2, 1, 9), channel="desk", person_id=john.id, reason="rent.balance",
                      outcome="resolved", notes="John's old contact", third_party_name="Mrs Smith senior"))
        s.add(ReceptionVisit(visit_date=date(2024, 5, 1), ticket="A001", caller_name="John Smith", person_id=john.id,
                             arrived_at=utc(2024, 5, 1, 9), status="seen", called_at=utc(2024, 5, 1, 9, 20),
                             needs="wheelchair", interpreter_language="Welsh"))
        case = Case(ref="C0000010", case_type="asb", status="closed", person_id=olwen.id, summary="Neighbour dispute 2017",
                    opened_at=utc(2017, 11, 20), closed_at=utc(2017, 12, 20), outcome="resolved")
        hcase = Case(ref="HL000010", case_type="homelessness", status="closed", person_id=olwen.id,
                     summary="Moved to Spain", opened_at=utc(2018, 1, 8), closed_at=utc(2019, 2, 1))
        s.add_all([case, hcase])
        s.flush()
        s.add(CaseNote(case_id=case.id, at=utc(2017, 11, 21), text="Gave keys back"))
        s.add(FollowUp(kind="callback", contact_id=None, person_id=olwen.id, case_id=case.id, due_at=utc(2017, 11, 22),
                       phone="07700 900777", notes="Call Bryn", status="done", created_at=utc(2017, 11, 20)))
        hc = HomelessCase(case_id=hcase.id, person_id=olwen.id, approach_date=date(2018, 1, 8), stage="closed",
                          notes="Sofa at a friend's", household_text="Barnaby, son", loss_reason="end_of_ast",
                          assessed_on=date(2018, 1, 10), assessment_duty="relief", children=0,
                          closed_on=date(2019, 2, 1))
        s.add(hc)
        s.flush()
        s.add(HomelessMember(homeless_case_id=hc.id, person_id=barnaby.id, relationship="son", age=37,
                             date_of_birth=date(1980, 3, 3)))
        s.add(HomelessMove(homeless_case_id=hc.id, at=utc(2018, 1, 10), on_date=date(2018, 1, 10),
                           from_stage="triage", to_stage="relief", reason="assessed", note="Moved to Spain soon"))
        s.exec(text("UPDATE person SET created_at = :old"), params={"old": utc(2010, 1, 1)})  # everyone "old"
        s.add(HomelessPlacement(homeless_case_id=hc.id, address="Flat 2, Old Hostel", ta_type="hostel",
                                duty_basis="s188", start_on=date(2018, 1, 10), end_on=date(2018, 3, 1)))


def _snapshot(engine) -> dict:
    """Every business table's rows (not the audit trail), to prove a dry run changes nothing."""
    from duty_tui.areas.trust.services.gdpr import tables

    found = {}
    with engine.connect() as c:
        for name, table in sorted(tables().items()):
            if name in ("audit_event", "audit_head"):
                continue
            found[name] = sorted(map(repr, (tuple(r) for r in c.execute(select(table)))))
    return found


def _figures(engine) -> dict:
    ctx = ctx_for(engine, "admin")
    with engine.connect() as c:
        ledger = c.execute(text("SELECT account_id, SUM(amount_pence), COUNT(*) FROM ledger_entry "
                                "GROUP BY account_id ORDER BY account_id")).all()
    return {"balances": [(a.ref, a.balance_pence) for a in list_accounts(ctx)], "ledger": [tuple(r) for r in ledger],
            "homelessness": quarter_statistics(ctx, "2018Q1"),
            "desk": duty_statistics(ctx, date(2017, 6, 1), date(2018, 6, 1))}


def test_purge_anonymises_exactly_what_is_past_retention_and_keeps_the_figures(engine, tmp_path):
    seed_office(engine)
    seed_old(engine)
    admin = ctx_for(engine, "admin")
    before_rows = _snapshot(engine)
    before = _figures(engine)

    listed = purge(admin, dry_run=True)
    assert _snapshot(engine) == before_rows
    assert listed.found["person"] == ["P0000010", "P0000012"]  # not Owen (owes money), not anyone current
    assert listed.found["case"] == ["C0000010"] and listed.found["homelessness_case"] == ["HL000010"]
    assert len(listed.found["contact"]) == 2 and len(listed.found["follow_up"]) == 1
    assert listed.found["reception_visit"] == ["2024-05-01/A001"]

    done = purge(admin)
    assert done.found == listed.found
    assert _figures(engine) == before
    assert verify_chain(engine).ok

    with session_scope(engine) as s:
        from duty_tui.core.db.models import Person

        people = {p.ref: p for p in s.exec(select(Person)).scalars()}
        olwen = people["P0000010"]
        assert (olwen.forename, olwen.surname, olwen.date_of_birth, olwen.ni_number, olwen.phone_main, olwen.email) == (
            "Anonymised", "Anonymised", None, None, None, None)
        assert people["P0000011"].forename == "Owen" and people["P0000001"].forename == "John"
        assert people["P0000001"].date_of_birth == date(1961, 4, 2)
        john_contacts = s.exec(select(Contact).where(Contact.person_id == people["P0000001"].id)
                               .order_by(Contact.at)).scalars().all()
        assert john_contacts[0].notes is None and john_contacts[0].third_party_name == "Anonymised"
        assert john_contacts[-1].notes == "Asked balance"  # recent: kept
        visit = s.exec(select(ReceptionVisit)).scalars().one()
        assert (visit.caller_name, visit.needs, visit.status) == ("Anonymised", None, "seen")
        assert s.exec(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.reference == "RENT")).one()[0] == 5

    # A second run finds nothing and changes nothing.
    after_rows = _snapshot(engine)
    again = purge(admin)
    assert all(not refs for refs in again.found.values())
    assert _snapshot(engine) == after_rows

    # The anonymised person's SAR shows none of the old personal data.
    out = tmp_path / "sar"
    subject_access(admin, "P0000010", out)
    exported = "\n".join(p.read_text(encoding="utf-8") for p in out.iterdir())
    assert "HL000010" in exported and "C0000010" in exported and "RNT000010" in exported
    for needle in OLD_DETAILS:
        assert needle not in exported, needle
    assert verify_chain(engine).ok


def test_purge_cli_dry_run_json_and_permission(engine, db_url, capsys):
    seed_office(engine)
    seed_old(engine)
    code = run(["--db", db_url, "gdpr", "purge", "--dry-run"])
    _o, err = capsys.readouterr()
    assert code == 2 and "gdpr.export" in err
    code = run(["--db", db_url, "gdpr", "purge", "--dry-run", "--json", "--as", "admin"])
    out, err = capsys.readouterr()
    assert code == 0 and "nothing changed" in err
    listed = json.loads(out)
    assert listed["dry_run"] is True and listed["records"]["person"]["refs"] == ["P0000010", "P0000012"]
    code = run(["--db", db_url, "gdpr", "purge", "--as", "admin"])
    out, err = capsys.readouterr()
    assert code == 0 and "person: anonymised 2" in out and "records anonymised" in err
    code = run(["--db", db_url, "gdpr", "purge", "--dry-run", "--as", "admin"])
    out, err = capsys.readouterr()
    assert code == 0 and "person: would anonymise 0" in out
    assert run(["--db", db_url, "audit", "verify"]) == 0


def test_purge_removes_drafts_nobody_has_touched_for_two_weeks(engine):
    """Unfinished forms hold personal data too: a draft its owner never came back to goes."""
    from duty_tui.core.services.drafts import DraftIn, list_drafts, save_draft

    seed_office(engine)
    stale_at, fresh_at = NOW - timedelta(days=15), NOW - timedelta(days=1)
    for key, at in (("stale", stale_at), ("fresh", fresh_at)):
        save_draft(ctx_for(engine, "reception", now=at), DraftIn(key, "contact", f"Contact {key}", "duty_tui.areas.frontdesk.tui.contact:LogContactScreen",
                                {"person_ref": "P0000001"}, {"notes": "about John Smith"}, "P0000001"))
    admin = ctx_for(engine, "admin")
    assert purge(admin, dry_run=True).stale_drafts == 1
    assert purge(admin).stale_drafts == 1
    assert [d.key for d in list_drafts(ctx_for(engine, "reception"))] == ["fresh"]
    assert purge(admin).stale_drafts == 0
