"""Every command that prints personal data writes an audit event: who, what, which records (issue 10 item 13),
and the H-CLIC extract, which holds dates of birth and support needs, is refused to the batch role (item 17).

Each command runs against the builders' office on both databases; the event it must write is read back
from the trail, and the trail still verifies.
"""

from __future__ import annotations

import csv
import getpass
import io
import json
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
import time_machine
from builders import NOW, seed_office
from sqlmodel import select

from duty_tui.areas.frontdesk.db.models import ReceptionVisit
from duty_tui.areas.housing_options.services.approach import save_approach
from duty_tui.areas.housing_options.services.statistics import write_homelessness_report
from duty_tui.core.cli import run
from duty_tui.core.config.settings import Settings
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import AuditEvent, Person
from duty_tui.core.domain.local_time import local_date
from duty_tui.core.services.audit import verify_chain
from duty_tui.core.services.audit_views import person_access_log
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import ServiceContext

BATCH = f"os:{getpass.getuser()}"
APPROACH = {"approach_date": "10/03/2026", "eligible": "yes", "rough_sleeping": True, "priority_state": "grounds",
            "priority_grounds": ["vulnerable"], "support_needs": ["mental_health"], "loss_reason": "family_friends",
            "current_accommodation": "rough_sleeping", "last_settled_accommodation": "living_with_family"}


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys):
    def invoke(*args: str) -> Result:
        capsys.readouterr()
        with time_machine.travel(NOW, tick=True):  # the callers queue and due dates are "today"
            code = run(list(args))
        captured = capsys.readouterr()
        result = Result(code, captured.out, captured.err)
        assert "Traceback" not in result.out + result.err, result
        return result

    return invoke


@pytest.fixture
def office(engine, db_url) -> str:
    seed_office(engine)
    with session_scope(engine, write=True) as session:
        khan = session.exec(select(Person.id).where(Person.ref == "P0000004")).one()
        session.add(ReceptionVisit(visit_date=local_date(NOW), ticket="A01", caller_name="Ms Khan", person_id=khan,
                                   arrived_at=NOW - timedelta(minutes=12)))
        session.add(ReceptionVisit(visit_date=local_date(NOW), ticket="A02", arrived_at=NOW - timedelta(minutes=3)))
    return db_url


def ctx_as(engine, username: str) -> ServiceContext:
    base = ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal="test", clock=lambda: NOW)
    return base.as_actor(find_actor(base, username))


def events_since(engine, before: int) -> list[AuditEvent]:
    with session_scope(engine) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.id > before).order_by(AuditEvent.id)).all())


def last_id(engine) -> int:
    with session_scope(engine) as session:
        event = session.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).first()  # type: ignore[union-attr]
    return event.id if event else 0


def only_event(engine, before: int, action: str) -> AuditEvent:
    found = [e for e in events_since(engine, before) if e.action == action]
    assert len(found) == 1, [(e.action, e.entity, e.entity_id) for e in events_since(engine, before)]
    return found[0]


# --- item 13: reads that print personal data -------------------------------------------------


@pytest.mark.parametrize("as_json", [False, True])
def test_queue_show_audits_the_cases_and_people_it_prints(cli, engine, office, as_json):
    before = last_id(engine)

    result = cli("--db", office, "queue", "show", "repairs", "--as", "leader", *(["--json"] if as_json else []))

    assert result.code == 0, result
    assert "C0000001" in result.out
    event = only_event(engine, before, "case.queue_listed")
    assert (event.actor, event.entity, event.entity_id) == ("leader", "queue", "team:repairs")
    detail = json.loads(event.detail)
    assert detail["cases"] == ["C0000001"] and detail["people"] == ["P0000004"]
    assert verify_chain(engine).ok


def test_queue_show_me_names_the_officers_queue(cli, engine, office):
    before = last_id(engine)
    assert cli("--db", office, "queue", "show", "me", "--as", "leader").code == 0
    event = only_event(engine, before, "case.queue_listed")
    assert event.entity_id == "officer:leader"
    assert json.loads(event.detail)["cases"] == ["C0000002"]


@pytest.mark.parametrize("as_json", [False, True])
def test_queue_callers_audits_the_callers_it_prints(cli, engine, office, as_json):
    before = last_id(engine)

    result = cli("--db", office, "queue", "callers", "--as", "reception", *(["--json"] if as_json else []))

    assert result.code == 0, result
    assert "Ms Khan" in result.out
    event = only_event(engine, before, "callers.listed")
    assert (event.actor, event.entity, event.entity_id) == ("reception", "callers", local_date(NOW).isoformat())
    detail = json.loads(event.detail)
    assert len(detail["visits"]) == 2 and detail["named"] == 1 and detail["people"] == ["P0000004"]


def test_report_contacts_audits_the_period_before_printing(cli, engine, office):
    before = last_id(engine)

    result = cli("--db", office, "report", "contacts", "--from", "2026-03-01", "--to", "2026-03-31")

    assert result.code == 0, result
    assert len(list(csv.DictReader(io.StringIO(result.out)))) == 1
    event = only_event(engine, before, "contact.report")
    assert (event.actor, event.entity, event.entity_id) == (BATCH, "contacts", "2026-03-01/2026-03-31")
    assert json.loads(event.detail) == {"from": "2026-03-01", "to": "2026-03-31"}


@pytest.mark.parametrize("query", ["%%", "**", "_", "?", "%"])
def test_person_find_with_a_wildcard_only_query_is_audited(cli, engine, office, query):
    before = last_id(engine)

    result = cli("--db", office, "person", "find", query)

    assert result.code == 0, result
    event = only_event(engine, before, "person.search")
    assert event.actor == BATCH
    assert json.loads(event.detail) == {"query": query, "kind": "too_short", "found": 0}


def test_account_list_and_show_are_audited(cli, engine, office):
    before = last_id(engine)
    assert cli("--db", office, "account", "list").code == 0
    assert cli("--db", office, "account", "show", "RNT000003", "--json").code == 0
    assert only_event(engine, before, "account.list").actor == BATCH
    shown = only_event(engine, before, "account.show")
    assert (shown.entity, shown.entity_id) == ("account", "RNT000003")


def test_report_homelessness_audits_the_cases_in_the_extract_before_writing(cli, engine, office, tmp_path):
    options = ctx_as(engine, "options")
    saved = save_approach(options, APPROACH, person_ref="P0000004")
    before = last_id(engine)

    result = cli("--db", office, "report", "homelessness", "--quarter", "2026Q1", "--out", str(tmp_path / "out"),
                 "--as", "options")

    assert result.code == 0, result
    event = only_event(engine, before, "housing.report_written")
    assert (event.actor, event.entity, event.entity_id) == ("options", "statistics", "2026Q1")
    detail = json.loads(event.detail)
    assert detail["case_refs"] == [saved.case_ref] and detail["cases"] == 1


def test_a_persons_access_log_shows_the_lists_that_included_them(cli, engine, office):
    """Who has looked at Aisha Khan: the leader who listed the repairs queue (her damp case), and
    reception, who listed the callers (she is waiting)."""
    assert cli("--db", office, "queue", "show", "repairs", "--as", "leader").code == 0
    assert cli("--db", office, "queue", "callers", "--as", "reception").code == 0

    log = person_access_log(ctx_as(engine, "leader"), "P0000004")

    seen = [(e.username, e.what, e.record) for e in log.entries]
    assert ("leader", "listed a queue of cases that included them", "queue team:repairs") in seen
    assert ("reception", "listed the callers at reception, including them",
            f"callers on {local_date(NOW).isoformat()}") in seen
    smith = [(e.username, e.action) for e in person_access_log(ctx_as(engine, "leader"), "P0000003").entries]
    assert ("leader", "case.queue_listed") not in smith  # a list concerns only those it showed


# --- item 17: the H-CLIC extract and the batch role --------------------------------------------


def test_the_batch_role_is_refused_the_hclic_extract_and_nothing_is_written(cli, engine, office, tmp_path):
    out = tmp_path / "out"
    before = last_id(engine)

    result = cli("--db", office, "report", "homelessness", "--quarter", "2026Q1", "--out", str(out))

    assert result.code == 2, result  # a permission refusal, like gdpr sar without gdpr.export
    assert "dates of birth and support needs" in result.err and "--as" in result.err
    assert not out.exists()
    assert events_since(engine, before) == []


@pytest.mark.parametrize(("username", "allowed"), [("options", True), ("leader", True), ("admin", True),
                                                   ("income", False), ("reception", False)])
def test_only_roles_that_may_see_the_special_category_data_produce_the_extract(cli, engine, office, tmp_path,
                                                                                username, allowed):
    result = cli("--db", office, "report", "homelessness", "--quarter", "2026Q1", "--out", str(tmp_path / "out"),
                 "--as", username)
    assert (result.code == 0) is allowed, result
    assert (tmp_path / "out").exists() is allowed


def test_an_extract_whose_audit_event_cannot_be_written_writes_no_file(engine, office, tmp_path):
    """The export is audited before any file exists: no event, no file."""
    from sqlalchemy import text

    with engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_head"))
    with pytest.raises(Exception, match="audit_head"):
        write_homelessness_report(ctx_as(engine, "options"), "2026Q1", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_the_hclic_people_file_still_holds_dates_of_birth_for_a_role_that_may_see_them(cli, engine, office,
                                                                                       tmp_path):
    save_approach(ctx_as(engine, "options"), APPROACH, person_ref="P0000004")
    out = tmp_path / "out"
    assert cli("--db", office, "report", "homelessness", "--quarter", "2026Q1", "--out", str(out),
               "--as", "options").code == 0
    people = (out / "2026Q1_hclic_people.csv").read_text()
    assert date(1987, 6, 5).isoformat() in people
