"""Subject access: gather everything held about one person into the SAR document.

``gather`` reads with one collector per record type (alerts, households, accounts, payments, cases,
contacts, the front desk's records, homelessness, any other table that points at the person, and
the access log), in the document's order; ``duty_tui.areas.trust.services.gdpr`` writes the files and audits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, and_, or_, select

from duty_tui.core.domain.errors import NotFound

if TYPE_CHECKING:
    from duty_tui.areas.trust.services.gdpr import SarPolicy

THIRD_PARTY = "[third party]"
OTHER_MEMBER = "another household member"
_CHUNK = 500
_HIDDEN_COLUMNS = frozenset({"version", "surname_key", "forename_key", "surname_sound", "forename_sound",
                             "phone_main_key", "phone_alt_key", "postcode_key", "street_key", "password_hash"})


# --------------------------------------------------------------------------- helpers


def tables() -> dict[str, Table]:
    """Every table in the metadata (all areas' models imported)."""
    from sqlmodel import SQLModel

    from duty_tui.core.db.models import import_all_models

    import_all_models()
    return dict(SQLModel.metadata.tables)


def chunks(ids: Iterable[Any], size: int = _CHUNK) -> Iterator[list[Any]]:
    """Lists of at most ``size`` items."""
    batch: list[Any] = []
    for item in ids:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def json_value(value: Any) -> Any:
    """A value as sar.json holds it: dates and times in ISO 8601, everything else as it is."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _row(mapping: Any, drop: Iterable[str] = ()) -> dict[str, Any]:
    dropped = set(drop) | _HIDDEN_COLUMNS
    return {k: json_value(v) for k, v in dict(mapping).items() if k not in dropped}


def _fetch(connection, table: Table, condition, order=None) -> list[dict[str, Any]]:
    query = select(table).where(condition)
    query = query.order_by(*(order if order is not None else [table.c.id]))
    return [dict(r) for r in connection.execute(query).mappings()]


def _fetch_in(connection, table: Table, column: str, ids: Iterable[Any], order: str = "id") -> list[dict[str, Any]]:
    ids = sorted(set(i for i in ids if i is not None))
    found: list[dict[str, Any]] = []
    for batch in chunks(ids):
        found.extend(dict(r) for r in connection.execute(
            select(table).where(table.c[column].in_(batch))).mappings())
    return sorted(found, key=lambda r: (r.get(order) is None, r.get(order) or 0, r.get("id") or 0))


# --------------------------------------------------------------------------- subject access


@dataclass
class _Gathering:
    """One subject access export as it is gathered: what the collectors have found so far.

    Each collector below reads one kind of record and adds its sections, in the order the document
    lists them; later collectors use what earlier ones found (the households' ids, the accounts, the
    cases), and ``covered`` says which (table, column) pairs the explicit sections have read, so
    ``other_records`` lists only what none of them did.
    """

    connection: Any
    t: dict[str, Table]
    sar: SarPolicy
    ref: str
    person: Any
    sections: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    covered: set[tuple[str, str]] = field(default_factory=set)
    teams: dict[int, str] = field(default_factory=dict)
    staff: dict[int, str] = field(default_factory=dict)
    memberships: list[dict[str, Any]] = field(default_factory=list)
    household_ids: set[int] = field(default_factory=set)
    tenancies: list[dict[str, Any]] = field(default_factory=list)
    tenancy_refs: dict[int, str] = field(default_factory=dict)
    accounts: dict[int, dict[str, Any]] = field(default_factory=dict)
    account_refs: dict[int, str] = field(default_factory=dict)
    ledger: list[dict[str, Any]] = field(default_factory=list)
    payments: dict[int, dict[str, Any]] = field(default_factory=dict)
    cases: list[dict[str, Any]] = field(default_factory=list)
    case_ids: list[int] = field(default_factory=list)
    case_refs: dict[int, str] = field(default_factory=dict)
    contact_ids: list[int] = field(default_factory=list)

    @property
    def pid(self) -> int:
        return self.person["id"]

    def cover(self, table: str, *columns: str) -> None:
        self.covered.update((table, c) for c in columns)

    def staff_name(self, staff_id: int | None) -> str | None:
        return self.staff.get(staff_id) if staff_id is not None else None

    def fetch(self, table: str, condition, order=None) -> list[dict[str, Any]]:
        return _fetch(self.connection, self.t[table], condition, order)

    def fetch_in(self, table: str, column: str, ids: Iterable[Any], order: str = "id") -> list[dict[str, Any]]:
        return _fetch_in(self.connection, self.t[table], column, ids, order)


def gather(connection, ref: str, sar: SarPolicy) -> dict[str, Any]:
    """The SAR document for ``ref`` (read-only; raises NotFound)."""
    t = tables()
    person_t = t["person"]
    person = connection.execute(select(person_t).where(person_t.c.ref == ref)).mappings().first()
    if person is None:
        raise NotFound(f"no person with ref {ref}; check the ref (duty-tui person find NAME)")
    g = _Gathering(connection, t, sar, ref, person)
    g.teams = {r.id: r.code for r in connection.execute(select(t["team"].c.id, t["team"].c.code))}
    g.staff = {r.id: r.username for r in connection.execute(select(t["staff_user"].c.id, t["staff_user"].c.username))}
    for collect in _COLLECTORS:
        collect(g)
    return {"person": _row(person), "sections": g.sections}


def _alerts(g: _Gathering) -> None:
    """Alerts on the person (restricted detail included: it is their data). Property alerts are
    about whoever lives or visits there, so they are left out."""
    alert = g.t["alert"]
    g.sections["alerts"] = [{**_row(r, ("person_id", "property_id")), "raised_by": g.staff_name(r["raised_by"])}
                            for r in g.fetch("alert", alert.c.person_id == g.pid)]
    g.cover("alert", "person_id")


def _households(g: _Gathering) -> None:
    """Households, the other members (redacted), tenancies and properties."""
    hm, pid, sar = g.t["household_member"], g.pid, g.sar
    g.memberships = memberships = g.fetch("household_member", hm.c.person_id == pid)
    g.cover("household_member", "person_id")
    g.household_ids = {m["household_id"] for m in memberships}
    households = {h["id"]: h for h in g.fetch_in("household", "id", g.household_ids)}
    others = g.fetch_in("household_member", "household_id", g.household_ids)
    people_by_id: dict[int, dict] = {}
    if not sar.redact_household_members:
        people_by_id = {p["id"]: p for p in g.fetch_in("person", "id", {o["person_id"] for o in others})}
    g.tenancies = g.fetch_in("tenancy", "household_id", g.household_ids)
    g.tenancy_refs = {x["id"]: x["ref"] for x in g.tenancies}
    property_ids = {h["property_id"] for h in households.values()} | {x["property_id"] for x in g.tenancies}
    properties = {p["id"]: p for p in g.fetch_in("property", "id", property_ids)}

    def address(property_id: int | None) -> str | None:
        p = properties.get(property_id) if property_id is not None else None
        if not p:
            return None
        return ", ".join(x for x in (p["address_line1"], p["address_line2"], p["town"], p["postcode"]) if x)

    g.sections["households"] = []
    for m in memberships:
        h = households.get(m["household_id"], {})
        members = []
        for o in others:
            if o["household_id"] != m["household_id"] or o["person_id"] == pid:
                continue
            entry = {"person": OTHER_MEMBER, "relationship": o["relationship"], "is_lead": o["is_lead"],
                     "joined_on": json_value(o["joined_on"]), "left_on": json_value(o["left_on"])}
            if not sar.redact_household_members and o["person_id"] in people_by_id:
                p = people_by_id[o["person_id"]]
                entry.update(person=f"{p['forename']} {p['surname']}", ref=p["ref"],
                             date_of_birth=json_value(p["date_of_birth"]))
            members.append(entry)
        g.sections["households"].append({"household_ref": h.get("ref"), "address": address(h.get("property_id")),
                                         "relationship": m["relationship"], "is_lead": m["is_lead"],
                                         "joined_on": json_value(m["joined_on"]), "left_on": json_value(m["left_on"]),
                                         "other_members": members})
    g.sections["tenancies"] = [{**_row(x, ("property_id", "household_id")), "household_ref":
                                households.get(x["household_id"], {}).get("ref"), "address": address(x["property_id"])}
                               for x in g.tenancies]


def _accounts(g: _Gathering) -> None:
    """Accounts the subject holds: their own, and the rent accounts of tenancies where they are a holder."""
    sar = g.sar
    holder_households = {m["household_id"] for m in g.memberships
                         if m["is_lead"] or (m["relationship"] or "").strip().lower() in sar.account_holder_relationships}
    holder_tenancies = [x["id"] for x in g.tenancies if x["household_id"] in holder_households]
    acc_t = g.t["account"]
    g.accounts = {a["id"]: a for a in g.fetch("account", acc_t.c.person_id == g.pid)}
    g.cover("account", "person_id")
    g.accounts.update({a["id"]: a for a in g.fetch_in("account", "tenancy_id", holder_tenancies)})
    g.account_refs = {a["id"]: a["ref"] for a in g.accounts.values()}
    g.ledger = g.fetch_in("ledger_entry", "account_id", g.accounts)
    balances: dict[int, int] = {}
    for row in g.ledger:
        balances[row["account_id"]] = balances.get(row["account_id"], 0) + row["amount_pence"]
    g.sections["accounts"] = [{**_row(a, ("tenancy_id", "person_id")), "tenancy_ref": g.tenancy_refs.get(a["tenancy_id"]),
                               "balance_pence": balances.get(a["id"], 0)} for a in g.accounts.values()]
    g.sections["ledger"] = [{**_row(r, ("account_id", "created_by", "office_id", "terminal")),
                             "account_ref": g.account_refs.get(r["account_id"])} for r in g.ledger]


def _payments(g: _Gathering) -> None:
    """Payments (the subject's, and those on their accounts' receipts), refunds and arrangements."""
    if "payment" not in g.t:
        return
    subject_names = {n.casefold() for n in (
        f"{g.person['forename']} {g.person['surname']}",
        f"{g.person['title'] or ''} {g.person['forename']} {g.person['surname']}".strip()) if n.strip()}
    holder_names = {a["holder_name"].casefold() for a in g.accounts.values() if a["holder_name"]} | subject_names

    def payer(name: str | None) -> str | None:
        if name is None or not g.sar.redact_third_party_callers or name.strip().casefold() in holder_names:
            return name
        return THIRD_PARTY

    pay = g.t["payment"]
    receipts = {(r["office_id"], r["receipt_no"]) for r in g.ledger if r["receipt_no"] is not None}
    g.payments = {p["id"]: p for p in g.fetch("payment", pay.c.person_id == g.pid)}
    g.cover("payment", "person_id")
    for batch in chunks(sorted(receipts)):
        for p in g.connection.execute(select(pay).where(or_(*(and_(pay.c.office_id == o, pay.c.receipt_no == n)
                                                                for o, n in batch)))).mappings():
            g.payments[p["id"]] = dict(p)
    g.sections["payments"] = [{**_row(p, ("person_id", "office_id", "idempotency_key", "terminal", "taken_by")),
                               "paid_by": payer(p["paid_by"])} for p in sorted(g.payments.values(), key=lambda p: p["id"])]
    refunds = g.fetch_in("refund_request", "account_id", g.accounts)
    g.sections["refunds"] = [{**_row(r, ("account_id", "idempotency_key", "requested_by", "decided_by",
                                         "ledger_entry_id")),
                              "account_ref": g.account_refs.get(r["account_id"]), "payee": payer(r["payee"])}
                             for r in refunds]
    arrangements = g.fetch_in("arrangement", "account_id", g.accounts)
    instalments = g.fetch_in("arrangement_instalment", "arrangement_id", [a["id"] for a in arrangements])
    g.sections["arrangements"] = [{**_row(a, ("account_id", "created_by", "ended_by")),
                                   "account_ref": g.account_refs.get(a["account_id"]),
                                   "instalments": [_row(i, ("id", "arrangement_id")) for i in instalments
                                                   if i["arrangement_id"] == a["id"]]} for a in arrangements]


def _cases(g: _Gathering) -> None:
    """Cases: the subject's own, and the household's cases that name no other person; their notes."""
    case_t = g.t["work_case"]
    cond = case_t.c.person_id == g.pid
    if g.household_ids:
        cond = or_(cond, and_(case_t.c.person_id.is_(None), case_t.c.household_id.in_(sorted(g.household_ids))))
    g.cases = cases = g.fetch("work_case", cond)
    g.cover("work_case", "person_id")
    g.case_ids = [c["id"] for c in cases]
    g.case_refs = {c["id"]: c["ref"] for c in cases}
    g.sections["cases"] = [{**_row(c, ("person_id", "household_id", "tenancy_id", "team_id", "assignee_id",
                                       "created_by")),
                            "team": g.teams.get(c["team_id"]), "assignee": g.staff_name(c["assignee_id"]),
                            "tenancy_ref": g.tenancy_refs.get(c["tenancy_id"])} for c in cases]
    g.sections["case_notes"] = [{**_row(n, ("case_id", "author_id")), "case_ref": g.case_refs.get(n["case_id"]),
                                 "author": g.staff_name(n["author_id"])}
                                for n in g.fetch_in("case_note", "case_id", g.case_ids, order="at")]


def _contacts(g: _Gathering) -> None:
    """Contacts about the subject, and their corrections. Contacts where they called about someone else
    hold no link to them (only a typed name), so they are not found here; docs/PRIVACY.md says so."""
    con = g.t["contact"]
    contacts = g.fetch("contact", con.c.person_id == g.pid, order=[con.c.at, con.c.id])
    g.cover("contact", "person_id")
    g.contact_ids = [c["id"] for c in contacts]
    reasons: dict[int, list[str]] = {}
    if "contact_reason" in g.t:
        for r in g.fetch_in("contact_reason", "contact_id", g.contact_ids, order="position"):
            reasons.setdefault(r["contact_id"], []).append(r["reason_code"])
    g.sections["contacts"] = []
    for c in contacts:
        row = {**_row(c, ("person_id", "staff_id", "team_id", "case_id")), "staff": g.staff_name(c["staff_id"]),
               "team": g.teams.get(c["team_id"]), "case_ref": g.case_refs.get(c["case_id"]),
               "reasons": reasons.get(c["id"], [c["reason"]])}
        if g.sar.redact_third_party_callers:
            for key in ("third_party_name", "third_party_phone"):
                if row.get(key):
                    row[key] = THIRD_PARTY
        g.sections["contacts"].append(row)
    if "contact_revision" in g.t:
        # Corrections of those contacts: what each said before and after, who corrected it, when and why.
        g.sections["contact_corrections"] = [
            {**_row(r, ("by",)), "by": g.staff_name(r["by"])}
            for r in g.fetch_in("contact_revision", "contact_id", g.contact_ids, order="revision")]


def _front_desk(g: _Gathering) -> None:
    """The front desk's records: follow-ups, case timelines, complaints, repairs, safeguarding, visits."""
    if "follow_up" not in g.t:
        return
    fu, case_ids, case_refs = g.t["follow_up"], g.case_ids, g.case_refs
    follow_ups = {f["id"]: f for f in g.fetch("follow_up", fu.c.person_id == g.pid)}
    follow_ups.update({f["id"]: f for f in g.fetch_in("follow_up", "contact_id", g.contact_ids)})
    follow_ups.update({f["id"]: f for f in g.fetch_in("follow_up", "case_id", case_ids)})
    g.sections["follow_ups"] = [{**_row(f, ("person_id", "case_id", "team_id", "assignee_id", "done_by", "created_by")),
                                 "case_ref": case_refs.get(f["case_id"]), "team": g.teams.get(f["team_id"]),
                                 "assignee": g.staff_name(f["assignee_id"])}
                                for _i, f in sorted(follow_ups.items())]
    g.cover("follow_up", "person_id")
    g.sections["case_events"] = [{**_row(e, ("case_id", "actor_id")), "case_ref": case_refs.get(e["case_id"]),
                                  "by": g.staff_name(e["actor_id"])}
                                 for e in g.fetch_in("case_event", "case_id", case_ids, order="at")]
    g.sections["complaint_stages"] = [{**_row(s, ("case_id", "handler_id")), "case_ref": case_refs.get(s["case_id"])}
                                      for s in g.fetch_in("complaint_stage", "case_id", case_ids)]
    g.sections["repairs"] = [{**_row(s, ("case_id",)), "case_ref": case_refs.get(s["case_id"])}
                             for s in g.fetch_in("repair_detail", "case_id", case_ids)]
    _safeguarding(g)
    rv = g.t["reception_visit"]
    visits = {v["id"]: v for v in g.fetch("reception_visit", rv.c.person_id == g.pid)}
    visits.update({v["id"]: v for v in g.fetch_in("reception_visit", "contact_id", g.contact_ids)})
    g.sections["reception_visits"] = [_row(v, ("person_id", "office_id", "called_by", "added_by", "contact_id"))
                                      for _i, v in sorted(visits.items())]
    g.cover("reception_visit", "person_id")


def _safeguarding(g: _Gathering) -> None:
    """Concerns about the subject, and those on their cases (about another person: withheld when redacting)."""
    sg = g.t["safeguarding_concern"]
    concerns = {c["id"]: c for c in g.fetch("safeguarding_concern", sg.c.subject_person_id == g.pid)}
    g.cover("safeguarding_concern", "subject_person_id")
    concerns.update({c["id"]: c for c in g.fetch_in("safeguarding_concern", "case_id", g.case_ids)})
    g.sections["safeguarding_concerns"] = []
    for c in sorted(concerns.values(), key=lambda c: c["id"]):
        row = {**_row(c, ("case_id", "contact_id", "subject_person_id", "raised_by")),
               "case_ref": g.case_refs.get(c["case_id"]), "about": "the subject"}
        if c["subject_person_id"] != g.pid and g.sar.redact_household_members:
            row.update(about="another person", subject_name=None, details="[withheld: about another person]")
        g.sections["safeguarding_concerns"].append(row)


_HOMELESSNESS_DETAIL = (
    ("homelessness_support_needs", "homeless_support_need", ()),
    ("homelessness_stage_moves", "homeless_move", ("officer_id",)),
    ("homelessness_plan_steps", "homeless_plan_step", ("created_by",)),
    ("homelessness_notices", "homeless_notice", ("officer_id", "authorised_by")),
    ("homelessness_non_cooperation", "homeless_noncoop", ("proposed_by", "signed_off_by", "warning_notice_id",
                                                          "notice_id")),
    ("homelessness_reviews", "homeless_review", ("reviewer_id", "notice_id")),
    ("homelessness_placements", "homeless_placement", ("created_by",)),
)


def _homelessness(g: _Gathering) -> None:
    """Homelessness cases (the subject's, or on their cases), their household and every detail table."""
    if "homeless_case" not in g.t:
        return
    hc_t, pid, sar, case_refs = g.t["homeless_case"], g.pid, g.sar, g.case_refs
    hcond = hc_t.c.person_id == pid
    if g.case_ids:
        hcond = or_(hcond, hc_t.c.case_id.in_(g.case_ids))
    hcases = g.fetch("homeless_case", hcond)
    g.cover("homeless_case", "person_id")
    missing = [h["case_id"] for h in hcases if h["case_id"] not in case_refs]
    for c in g.fetch_in("work_case", "id", missing):
        case_refs[c["id"]] = c["ref"]  # the access log covers these cases too
    hc_ids = [h["id"] for h in hcases]
    hc_refs = {h["id"]: case_refs.get(h["case_id"]) for h in hcases}
    rows = []
    for h in hcases:
        row = {**_row(h, ("case_id", "person_id", "household_id", "contact_id")), "case_ref": case_refs.get(h["case_id"])}
        if sar.redact_household_members and row.get("household_text"):
            row["household_text"] = "[withheld: describes other household members]"
        rows.append(row)
    g.sections["homelessness_cases"] = rows
    hmem = []
    for m in g.fetch_in("homeless_member", "homeless_case_id", hc_ids):
        if m["person_id"] == pid or not sar.redact_household_members:
            hmem.append({**_row(m, ("homeless_case_id", "person_id")), "case_ref": hc_refs.get(m["homeless_case_id"]),
                         "person": "the subject" if m["person_id"] == pid else "household member"})
        else:
            hmem.append({"case_ref": hc_refs.get(m["homeless_case_id"]), "person": OTHER_MEMBER,
                         "relationship": m["relationship"]})
    g.sections["homelessness_household"] = hmem
    g.cover("homeless_member", "person_id")
    for name, table, drop in _HOMELESSNESS_DETAIL:
        g.sections[name] = [{**_row(r, ("homeless_case_id", *drop)), "case_ref": hc_refs.get(r["homeless_case_id"])}
                            for r in g.fetch_in(table, "homeless_case_id", hc_ids)]


def _other_records(g: _Gathering) -> None:
    """Any other table that points at the person (added by an area after this module was written)."""
    person_fk = [(table, column.name) for table in g.t.values() for column in table.columns
                 for fk in column.foreign_keys if fk.column.table.name == "person" and table.name != "person"]
    other: list[dict[str, Any]] = []
    for table, column in person_fk:
        if (table.name, column) in g.covered or table.name in ("household_member",):
            continue
        for r in _fetch(g.connection, table, table.c[column] == g.pid):
            other.append({"record_type": table.name, **_row(r)})
    g.sections["other_records"] = other


def _access_log(g: _Gathering) -> None:
    """Who looked at or changed the record (the access log): refs of everything above."""
    if not g.sar.include_access_log:
        return
    sections, ev = g.sections, g.t["audit_event"]
    keys: dict[str, set[str]] = {
        "person": {g.ref}, "case": set(g.case_refs.values()) | {c["ref"] for c in g.cases},
        "contact": {str(i) for i in g.contact_ids}, "account": set(g.account_refs.values()),
        "visit": {str(v["id"]) for v in sections.get("reception_visits", [])},
        "arrangement": {a["ref"] for a in sections.get("arrangements", [])},
        "refund_request": {r["ref"] for r in sections.get("refunds", [])},
        "ledger_entry": {str(r["id"]) for r in g.ledger},
    }
    if sections.get("payments"):
        offices = {r.id: r.code for r in g.connection.execute(select(g.t["office"].c.id, g.t["office"].c.code))}
        keys["payment"] = {f"{offices.get(p['office_id'])}-{p['receipt_no']:06d}" for p in g.payments.values()}
    log: list[dict[str, Any]] = []
    for entity, ids in keys.items():
        for batch in chunks(sorted(ids)):
            for e in g.connection.execute(
                    select(ev.c.id, ev.c.at, ev.c.actor, ev.c.action, ev.c.entity, ev.c.entity_id)
                    .where(ev.c.entity == entity, ev.c.entity_id.in_(batch))).mappings():
                log.append(dict(e))
    log.sort(key=lambda e: e["id"])
    sections["access_log"] = [{"at": json_value(e["at"]), "staff": e["actor"], "action": e["action"],
                               "record": f"{e['entity']} {e['entity_id']}"} for e in log]


_COLLECTORS: tuple[Callable[[_Gathering], None], ...] = (
    _alerts, _households, _accounts, _payments, _cases, _contacts, _front_desk, _homelessness, _other_records,
    _access_log)
"""In the document's order: each adds its sections, and later ones read what earlier ones found."""
