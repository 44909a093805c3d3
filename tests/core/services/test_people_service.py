"""The person view (services/people.py) on SQLite and PostgreSQL.

What a role may not see arrives already masked; every view is audited in the
same transaction as the read.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from builders import NOW, seed_office
from sqlalchemy import func
from sqlmodel import select

from duty_tui.core.config.settings import Settings
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import AuditEvent
from duty_tui.core.domain.errors import InputError, NotFound, PermissionDenied
from duty_tui.core.domain.money import format_balance
from duty_tui.core.services import people
from duty_tui.core.services.audit import verify_chain
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import ServiceContext
from duty_tui.core.services.people import RESTRICTED_PLACEHOLDER, get_person

SMITH_61, SMITH_87, SMYTH, KHAN, CHILD = "P0000001", "P0000002", "P0000003", "P0000004", "P0000005"
KNIFE = "Threatened an officer with a knife, 2024"


@pytest.fixture
def base_ctx(engine) -> ServiceContext:
    seed_office(engine)
    return ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal="t", clock=lambda: NOW)


def as_user(base_ctx: ServiceContext, username: str) -> ServiceContext:
    return base_ctx.as_actor(find_actor(base_ctx, username))


@pytest.fixture
def leader(base_ctx) -> ServiceContext:
    return as_user(base_ctx, "leader")


@pytest.fixture
def reception(base_ctx) -> ServiceContext:
    return as_user(base_ctx, "reception")


def audit_count(engine) -> int:
    with session_scope(engine) as session:
        return session.exec(select(func.count()).select_from(AuditEvent)).one()


def last_event(engine) -> AuditEvent:
    with session_scope(engine) as session:
        return session.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).first()  # type: ignore[union-attr]


# --- what each role sees -------------------------------------------------------------


def test_leader_sees_restricted_alert_detail_full_dob_ni_and_phone(leader):
    view = get_person(leader, SMITH_61)

    assert view.name == "John Smith"
    assert view.sensitive_visible is True
    assert view.date_of_birth == "02/04/1961"
    assert view.age == 64  # on 10 March 2026, before the April birthday
    assert view.ni_number == "AB123456C"
    assert view.phone_main == "01793 100001"
    [alert] = view.alerts
    assert alert.restricted is True
    assert alert.category == "violent_aggressive"
    assert alert.category_name == leader.reference.alert_categories["violent_aggressive"].name
    assert alert.category_name.startswith("Violent or aggressive")
    assert alert.summary == "Risk to staff: see restricted detail"
    assert alert.detail == KNIFE
    assert alert.on == "person"


def test_reception_sees_the_alert_exists_but_not_its_restricted_detail(reception):
    view = get_person(reception, SMITH_61)

    [alert] = view.alerts
    assert alert.category == "violent_aggressive"
    assert alert.category_name.startswith("Violent or aggressive")
    assert alert.summary == "Risk to staff: see restricted detail"
    assert alert.restricted is True
    assert alert.detail == RESTRICTED_PLACEHOLDER
    assert "knife" not in repr(view).lower()


def test_reception_sees_dob_year_only_and_masked_ni_and_phones(reception):
    view = get_person(reception, SMITH_61)

    assert view.sensitive_visible is False
    assert view.date_of_birth == "**/**/1961"
    assert view.ni_number not in ("AB123456C", "—")
    assert "123456" not in view.ni_number and "1234" not in view.ni_number
    assert view.phone_main.endswith("001") and "100001" not in view.phone_main
    assert "01793" not in view.phone_main
    text = repr(view)
    for secret in ("AB123456C", "02/04/1961", "1961-04-02", "01793 100001", "01793100001"):
        assert secret not in text
    assert view.age == 64  # age is shown: it is needed to tell people apart and is not the DOB


def test_reception_sees_unrestricted_alert_detail(reception):
    view = get_person(reception, KHAN)
    [alert] = view.alerts
    assert alert.category == "interpreter"
    assert alert.restricted is False
    assert alert.summary == "Urdu interpreter needed"
    assert alert.detail is None  # no detail was recorded, so no placeholder either


def test_options_officer_may_read_restricted_detail(base_ctx):
    view = get_person(as_user(base_ctx, "options"), SMITH_61)
    assert view.alerts[0].detail == KNIFE


def test_income_officer_sees_sensitive_fields_but_not_restricted_alerts(base_ctx):
    view = get_person(as_user(base_ctx, "income"), SMITH_61)
    assert view.ni_number == "AB123456C"
    assert view.alerts[0].detail == RESTRICTED_PLACEHOLDER


def test_missing_details_show_a_dash_for_every_role(leader, reception):
    for ctx in (leader, reception):
        view = get_person(ctx, SMYTH)
        assert view.ni_number == "—"
        assert view.phone_main == "—" and view.phone_alt == "—"
        assert view.email == "—"


# --- household, tenancy, money, contacts, cases -----------------------------------


def test_household_members_lead_first(leader):
    view = get_person(leader, CHILD)  # opened from the child: the whole household still shows
    assert view.household_ref == "H0000003"
    assert [(m.ref, m.name, m.relationship, m.is_lead) for m in view.members] == [
        (KHAN, "Aisha Khan", "lead tenant", True),
        (CHILD, "Zara Khan", "child", False),
    ]
    assert [m.age for m in view.members] == [38, 11]


def test_tenancy_and_property(leader):
    tenancy = get_person(leader, SMITH_61).tenancy
    assert tenancy is not None
    assert tenancy.ref == "T00001"
    assert tenancy.tenancy_type == "secure"
    assert tenancy.status == "current"
    assert tenancy.start_date == date(2011, 1, 4)
    assert tenancy.weekly_rent_pence == 11050
    assert tenancy.property_ref == "PR000001"
    assert tenancy.address == "12 Mill Lane, Swindon"
    assert tenancy.postcode == "SN1 2AB"


@pytest.mark.parametrize(
    ("ref", "account", "account_type", "balance", "shown"),
    [
        (SMITH_61, "RNT000001", "rent", 15250, "£152.50 arrears"),
        (SMITH_87, "RNT000002", "rent", -2000, "£20.00 in credit"),
        (KHAN, "RNT000003", "rent", 0, "£0.00"),
        (SMYTH, "FTA000001", "former_tenant", 64000, "£640.00 arrears"),
    ],
)
def test_balances(leader, ref, account, account_type, balance, shown):
    view = get_person(leader, ref)
    assert [(a.ref, a.account_type, a.balance_pence, a.closed) for a in view.accounts] == [
        (account, account_type, balance, False)
    ]
    assert view.total_owed_pence == balance
    assert format_balance(view.accounts[0].balance_pence) == shown


def test_last_payment_date(leader):
    [account] = get_person(leader, SMITH_61).accounts
    assert account.last_payment_on == date(2026, 3, 4)  # the cash payment (third ledger row)
    [fta] = get_person(leader, SMYTH).accounts
    assert fta.last_payment_on is None


def test_former_tenant_without_a_household(leader):
    view = get_person(leader, SMYTH)
    assert view.household_ref is None
    assert view.members == [] and view.tenancy is None
    assert view.cases == [] and view.contacts == []


def test_contacts_newest_first_with_staff_name(leader):
    [contact] = get_person(leader, SMITH_61).contacts
    # In words, not codes (issue 11 B9): the history shows what staff read.
    assert contact.channel == "Phone"
    assert contact.reason == "Rent › Balance enquiry"
    assert contact.outcome == "Resolved at first contact"
    assert contact.staff == "Lee Leader"
    assert contact.notes == "Asked balance"


def test_open_cases_for_the_person_and_the_household(leader):
    [case] = get_person(leader, SMITH_61).cases
    assert (case.ref, case.case_type, case.status, case.team, case.assignee, case.priority) == (
        "C0000002", "arrears", "open", "Income", "Lee Leader", "normal")
    # The repair case is on Aisha and her household, so it shows on her child's record too.
    assert [c.ref for c in get_person(leader, KHAN).cases] == ["C0000001"]
    assert [c.ref for c in get_person(leader, CHILD).cases] == ["C0000001"]


def test_language_and_interpreter(leader):
    view = get_person(leader, KHAN)
    assert view.language == "Urdu" and view.interpreter_needed is True


# --- refs and permissions ------------------------------------------------------------


@pytest.mark.parametrize("ref", [" p0000001 ", "p0000001", "P0000001"])
def test_ref_is_forgiving_about_case_and_spaces(leader, ref):
    assert get_person(leader, ref).ref == SMITH_61


@pytest.mark.parametrize("ref", ["P9999999", "", "nobody", "%", "P000000%", "' OR 1=1 --"])
def test_unknown_ref_is_not_found_and_nothing_is_recorded(leader, engine, ref):
    before = audit_count(engine)
    with pytest.raises(NotFound) as caught:
        get_person(leader, ref)
    assert isinstance(caught.value, InputError)
    assert caught.value.exit_code == 2
    assert audit_count(engine) == before


def test_a_role_without_person_view_is_refused(base_ctx, engine):
    batch = base_ctx.batch_actor("cron")
    before = audit_count(engine)
    with pytest.raises(PermissionDenied):
        get_person(batch, SMITH_61)
    assert audit_count(engine) == before


# --- audit ---------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["leader", "reception"])
def test_every_view_is_audited_once_with_the_ref(base_ctx, engine, username):
    ctx = as_user(base_ctx, username)
    before = audit_count(engine)

    get_person(ctx, SMITH_61)
    assert audit_count(engine) == before + 1
    event = last_event(engine)
    assert event.action == "person.view"
    assert event.entity == "person" and event.entity_id == SMITH_61
    assert event.actor == username
    assert json.loads(event.detail)["sensitive"] is (username == "leader")

    get_person(ctx, " p0000001 ")
    assert audit_count(engine) == before + 2
    assert last_event(engine).entity_id == SMITH_61  # the canonical ref, not what was typed
    assert verify_chain(engine).ok


def test_restricted_detail_seen_is_recorded(leader, reception, engine):
    get_person(leader, SMITH_61)
    assert json.loads(last_event(engine).detail)["restricted_alerts"] is True
    get_person(reception, SMITH_61)
    assert json.loads(last_event(engine).detail)["restricted_alerts"] is False


def test_the_view_and_its_audit_are_one_transaction(leader, engine, monkeypatch):
    """If the audit event cannot be written, the view is not handed out (no unaudited look)."""
    before = audit_count(engine)

    def broken_record(session, ctx, action, *args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(people.audit, "record", broken_record)
    with pytest.raises(RuntimeError):
        get_person(leader, SMITH_61)
    monkeypatch.undo()
    assert audit_count(engine) == before

    get_person(leader, SMITH_61)
    assert audit_count(engine) == before + 1
