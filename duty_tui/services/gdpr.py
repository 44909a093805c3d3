"""UK GDPR: subject access exports and the retention schedule (data/retention.toml).

``subject_access`` gathers everything held about one person into one JSON document
(``sar.json``) and one readable text report (``report.txt``) in a new folder, leaving out
other people's personal data as ``[sar]`` policy says, and audits the export ("gdpr.sar")
in the same transaction that reads. ``duty_tui.services.gdpr_purge`` anonymises what is
past retention. docs/PRIVACY.md describes both for staff.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Table, and_, or_, select

from duty_tui.db.engine import session_scope
from duty_tui.domain.validators import inert
from duty_tui.errors import DutyError, EnvironmentProblem, InputError, NotFound
from duty_tui.private_files import is_disk_full, make_private_folder
from duty_tui.reference import line_of, read_toml
from duty_tui.services import audit
from duty_tui.services.context import ServiceContext
from duty_tui.services.outputs import check_out_dir, dump_json

ANONYMISED = "Anonymised"
"""What names and other required text become when a record is anonymised."""

THIRD_PARTY = "[third party]"
OTHER_MEMBER = "another household member"
RECORD_TYPES = ("person", "contact", "follow_up", "case", "homelessness_case", "reception_visit", "audit_event")
"""Record types the retention schedule must give a period for."""

_CHUNK = 500
_HIDDEN_COLUMNS = frozenset({"version", "surname_key", "forename_key", "surname_sound", "forename_sound",
                             "phone_main_key", "phone_alt_key", "postcode_key", "street_key", "password_hash"})


# --------------------------------------------------------------------------- policy


@dataclass(frozen=True)
class Retention:
    """How long one record type is kept, from which event, and why."""

    record_type: str
    years: int
    after: str
    basis: str
    by_case_type: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class SarPolicy:
    """What a subject access export leaves out (other people's data)."""

    redact_household_members: bool = True
    redact_third_party_callers: bool = True
    include_access_log: bool = True
    account_holder_relationships: tuple[str, ...] = ("lead tenant", "joint tenant", "tenant")


@dataclass(frozen=True)
class GdprPolicy:
    """data/retention.toml, validated."""

    sar: SarPolicy
    retention: dict[str, Retention]


def load_policy(data_dir: Path) -> GdprPolicy:
    """Read and check ``data_dir/retention.toml``; a problem names the file and line (exit 3)."""
    path = Path(data_dir) / "retention.toml"
    raw = read_toml(path)

    def problem(needle: str, message: str) -> EnvironmentProblem:
        return EnvironmentProblem(f"{path}:{line_of(path, needle)}: {message}")

    unknown = [key for key in raw if key not in ("sar", "retention")]
    if unknown:
        raise problem(unknown[0], f"unknown section {unknown[0]!r}; use [sar] and [retention.<record type>]")
    sar_raw = raw.get("sar", {})
    if not isinstance(sar_raw, dict):
        raise problem("sar", "sar must be a table: [sar]")
    flags = {}
    for key in ("redact_household_members", "redact_third_party_callers", "include_access_log"):
        value = sar_raw.get(key, True)
        if not isinstance(value, bool):
            raise problem(key, f"[sar] {key} must be true or false")
        flags[key] = value
    relationships = sar_raw.get("account_holder_relationships", list(SarPolicy.account_holder_relationships))
    if not isinstance(relationships, list) or not all(isinstance(r, str) and r.strip() for r in relationships):
        raise problem("account_holder_relationships", "[sar] account_holder_relationships must be a list of words")
    extra = [key for key in sar_raw if key not in (*flags, "account_holder_relationships")]
    if extra:
        raise problem(extra[0], f"[sar] unknown setting {extra[0]!r}")
    sar = SarPolicy(**flags, account_holder_relationships=tuple(r.strip().lower() for r in relationships))

    periods: dict[str, Retention] = {}
    tables = raw.get("retention", {})
    if not isinstance(tables, dict):
        raise problem("retention", "retention must hold tables: [retention.contact] ...")
    for record_type, body in tables.items():
        needle = f"[retention.{record_type}]"
        if record_type not in RECORD_TYPES:
            raise problem(needle, f"unknown record type {record_type!r}; use one of {', '.join(RECORD_TYPES)}")
        if not isinstance(body, dict):
            raise problem(needle, f"retention.{record_type} must be a table")
        years = body.get("years")
        if not isinstance(years, int) or isinstance(years, bool) or not 1 <= years <= 100:
            raise problem(needle, f"retention.{record_type}: years must be a whole number from 1 to 100")
        basis = body.get("basis")
        if not isinstance(basis, str) or not basis.strip():
            raise problem(needle, f"retention.{record_type}: give the basis for the period (basis = \"...\")")
        after = body.get("after", "")
        if not isinstance(after, str):
            raise problem(needle, f"retention.{record_type}: after must be text")
        by_type = body.get("by_case_type", {})
        if not isinstance(by_type, dict) or not all(
                isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 100 for v in by_type.values()):
            raise problem("by_case_type", f"retention.{record_type}: by_case_type maps case types to years (1-100)")
        extra = [key for key in body if key not in ("years", "basis", "after", "by_case_type")]
        if extra:
            raise problem(extra[0], f"retention.{record_type}: unknown setting {extra[0]!r}")
        periods[record_type] = Retention(record_type, years, after, basis.strip(), dict(by_type))
    missing = [t for t in RECORD_TYPES if t not in periods]
    if missing:
        raise problem("[retention", f"no retention period for {', '.join(missing)}; add [retention.{missing[0]}]")
    return GdprPolicy(sar, periods)


def policy(ctx: ServiceContext) -> GdprPolicy:
    """The policy from the settings' data folder."""
    return load_policy(ctx.settings.data_dir)


# --------------------------------------------------------------------------- helpers


def tables() -> dict[str, Table]:
    """Every table in the metadata (all areas' models imported)."""
    from sqlmodel import SQLModel

    from duty_tui.db.models import import_all_models

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


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _row(mapping: Any, drop: Iterable[str] = ()) -> dict[str, Any]:
    dropped = set(drop) | _HIDDEN_COLUMNS
    return {k: _value(v) for k, v in dict(mapping).items() if k not in dropped}


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


@dataclass(frozen=True)
class SarSummary:
    """What a subject access export wrote."""

    person_ref: str
    out_dir: Path
    files: tuple[Path, ...]
    counts: dict[str, int]


def subject_access(ctx: ServiceContext, person_ref: str, out_dir: Path | str) -> SarSummary:
    """Export everything held about one person to ``out_dir`` (gdpr.export), audited as gdpr.sar.

    The files are written into a private staging folder beside ``out_dir`` and moved into place
    (one rename) only when both are complete, so ``out_dir`` holds the whole export or nothing.
    The audit event is written in the transaction that reads the data; an export that fails once
    the data has been read (disk full, say) is audited as gdpr.sar.failed, and the staging folder
    is removed.
    """
    ctx.require("gdpr.export")
    out = Path(out_dir)
    ref = (person_ref or "").strip().upper()
    if not ref:
        raise InputError("give the person's ref, e.g. P0012345")
    check_out_dir(out)
    rules = policy(ctx)
    staging = _staging_folder(out)
    placed = False
    try:
        with session_scope(ctx.engine, write=True) as session:
            connection = session.connection()
            document = gather(connection, ref, rules.sar)
            counts = {name: len(rows) for name, rows in document["sections"].items()}
            document["export"] = {"person_ref": ref, "generated_at": _value(ctx.now()),
                                  "as_of": ctx.today().isoformat(),
                                  "generated_by": ctx.actor.username if ctx.actor else None,
                                  "policy": {"redact_household_members": rules.sar.redact_household_members,
                                             "redact_third_party_callers": rules.sar.redact_third_party_callers,
                                             "include_access_log": rules.sar.include_access_log}}
            document = {"export": document.pop("export"), **document}
            try:
                _write(staging, document)
            except OSError as exc:
                raise _ExportFailed(exc, "writing") from None
            audit.record(session, ctx, "gdpr.sar", "person", ref, {"records": sum(counts.values()),
                                                                   "sections": {k: v for k, v in counts.items() if v}})
            session.flush()  # the audit event is in before the files are in place
            try:
                _place(staging, out)
            except OSError as exc:
                raise _ExportFailed(exc, "moving into place") from None
            placed = True
    except _ExportFailed as failed:
        _audit_failure(ctx, ref, failed)
        raise failed.problem(out) from None
    except BaseException:
        if placed:  # the files are in place but the transaction (with its audit event) did not commit
            _unplace(out)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    files = (out / "report.txt", out / "sar.json")
    return SarSummary(ref, out, files, counts)


class _ExportFailed(Exception):
    """Writing the export failed after the data was read (the audit event says so)."""

    def __init__(self, error: OSError, step: str) -> None:
        super().__init__(step)
        self.error = error
        self.step = step

    @property
    def reason(self) -> str:
        code = errno.errorcode.get(self.error.errno or 0, "")
        return f"{self.error.strerror or self.error}" + (f" ({code})" if code else "")

    def problem(self, out: Path) -> DutyError:
        if is_disk_full(self.error):
            return EnvironmentProblem(
                f"--out {out}: the disk is full ({self.reason}) while {self.step} the export; nothing was left "
                "there (the attempt is in the audit trail as gdpr.sar.failed); free some space and run it again")
        return InputError(f"--out {out}: cannot write there ({self.reason}) while {self.step} the export; nothing "
                          "was left there (the attempt is in the audit trail as gdpr.sar.failed); give a new or "
                          "empty folder you can write to")


def _audit_failure(ctx: ServiceContext, ref: str, failed: _ExportFailed) -> None:
    """Record that personal data was read for an export that was not delivered (best effort)."""
    try:
        with session_scope(ctx.engine, write=True) as session:
            audit.record(session, ctx, "gdpr.sar.failed", "person", ref,
                         {"step": failed.step, "error": failed.reason})
    except DutyError:
        pass  # the database went away too: the export's own error is the one to show


def _staging_folder(out: Path) -> Path:
    """A new private folder beside ``out`` (same file system, so the final move is one rename)."""
    parent = out.parent if str(out.parent) else Path(".")
    try:
        make_private_folder(parent)
        return Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=parent))
    except OSError as exc:
        if is_disk_full(exc):
            raise EnvironmentProblem(f"--out {out}: the disk is full ({exc.strerror or exc}); free some space "
                                     "and run the export again") from None
        raise InputError(f"--out {out}: cannot write there ({exc.strerror or exc}); give a new or empty folder "
                         "you can write to") from None


def _place(staging: Path, out: Path) -> None:
    """Move the finished export into place: a rename onto ``out`` (absent, or an empty folder)."""
    os.rename(staging, out)


def _unplace(out: Path) -> None:
    with contextlib.suppress(OSError):
        for name in ("sar.json", "report.txt"):
            (out / name).unlink(missing_ok=True)


def gather(connection, ref: str, sar: SarPolicy) -> dict[str, Any]:
    """The SAR document for ``ref`` (read-only; raises NotFound)."""
    t = tables()
    person_t = t["person"]
    person = connection.execute(select(person_t).where(person_t.c.ref == ref)).mappings().first()
    if person is None:
        raise NotFound(f"no person with ref {ref}; check the ref (duty-tui person find NAME)")
    pid = person["id"]
    subject_names = {n.casefold() for n in (
        f"{person['forename']} {person['surname']}",
        f"{person['title'] or ''} {person['forename']} {person['surname']}".strip()) if n.strip()}
    sections: dict[str, list[dict[str, Any]]] = {}
    covered: set[tuple[str, str]] = set()  # (table, column) pairs read by the explicit sections

    def cover(table: str, *columns: str) -> None:
        covered.update((table, c) for c in columns)

    # Alerts on the person (restricted detail included: it is their data). Property alerts are
    # about whoever lives or visits there, so they are left out.
    teams = {r.id: r.code for r in connection.execute(select(t["team"].c.id, t["team"].c.code))}
    staff = {r.id: r.username for r in connection.execute(select(t["staff_user"].c.id, t["staff_user"].c.username))}

    def staff_name(staff_id: int | None) -> str | None:
        return staff.get(staff_id) if staff_id is not None else None

    sections["alerts"] = [{**_row(r, ("person_id", "property_id")), "raised_by": staff_name(r["raised_by"])} for r in
                          _fetch(connection, t["alert"], t["alert"].c.person_id == pid)]
    cover("alert", "person_id")

    # Households, the other members (redacted), tenancies and properties.
    hm = t["household_member"]
    memberships = _fetch(connection, hm, hm.c.person_id == pid)
    cover("household_member", "person_id")
    household_ids = {m["household_id"] for m in memberships}
    households_t, prop_t, ten_t = t["household"], t["property"], t["tenancy"]
    households = {h["id"]: h for h in _fetch_in(connection, households_t, "id", household_ids)}
    others = _fetch_in(connection, hm, "household_id", household_ids)
    people_by_id: dict[int, dict] = {}
    if not sar.redact_household_members:
        people_by_id = {p["id"]: p for p in _fetch_in(connection, person_t, "id", {o["person_id"] for o in others})}
    tenancies = _fetch_in(connection, ten_t, "household_id", household_ids)
    property_ids = {h["property_id"] for h in households.values()} | {x["property_id"] for x in tenancies}
    properties = {p["id"]: p for p in _fetch_in(connection, prop_t, "id", property_ids)}

    def address(property_id: int | None) -> str | None:
        p = properties.get(property_id)
        if not p:
            return None
        return ", ".join(x for x in (p["address_line1"], p["address_line2"], p["town"], p["postcode"]) if x)

    sections["households"] = []
    for m in memberships:
        h = households.get(m["household_id"], {})
        members = []
        for o in others:
            if o["household_id"] != m["household_id"] or o["person_id"] == pid:
                continue
            entry = {"person": OTHER_MEMBER, "relationship": o["relationship"], "is_lead": o["is_lead"],
                     "joined_on": _value(o["joined_on"]), "left_on": _value(o["left_on"])}
            if not sar.redact_household_members and o["person_id"] in people_by_id:
                p = people_by_id[o["person_id"]]
                entry.update(person=f"{p['forename']} {p['surname']}", ref=p["ref"],
                             date_of_birth=_value(p["date_of_birth"]))
            members.append(entry)
        sections["households"].append({"household_ref": h.get("ref"), "address": address(h.get("property_id")),
                                       "relationship": m["relationship"], "is_lead": m["is_lead"],
                                       "joined_on": _value(m["joined_on"]), "left_on": _value(m["left_on"]),
                                       "other_members": members})
    sections["tenancies"] = [{**_row(x, ("property_id", "household_id")), "household_ref":
                              households.get(x["household_id"], {}).get("ref"), "address": address(x["property_id"])}
                             for x in tenancies]

    # Accounts the subject holds: their own, and the rent accounts of tenancies where they are a holder.
    holder_households = {m["household_id"] for m in memberships
                         if m["is_lead"] or (m["relationship"] or "").strip().lower() in sar.account_holder_relationships}
    holder_tenancies = [x["id"] for x in tenancies if x["household_id"] in holder_households]
    acc_t = t["account"]
    accounts = {a["id"]: a for a in _fetch(connection, acc_t, acc_t.c.person_id == pid)}
    cover("account", "person_id")
    accounts.update({a["id"]: a for a in _fetch_in(connection, acc_t, "tenancy_id", holder_tenancies)})
    tenancy_refs = {x["id"]: x["ref"] for x in tenancies}
    account_refs = {a["id"]: a["ref"] for a in accounts.values()}
    led = t["ledger_entry"]
    ledger = _fetch_in(connection, led, "account_id", accounts)
    balances: dict[int, int] = {}
    for row in ledger:
        balances[row["account_id"]] = balances.get(row["account_id"], 0) + row["amount_pence"]
    sections["accounts"] = [{**_row(a, ("tenancy_id", "person_id")), "tenancy_ref": tenancy_refs.get(a["tenancy_id"]),
                             "balance_pence": balances.get(a["id"], 0)} for a in accounts.values()]
    sections["ledger"] = [{**_row(r, ("account_id", "created_by", "office_id", "terminal")),
                           "account_ref": account_refs.get(r["account_id"])} for r in ledger]

    holder_names = {a["holder_name"].casefold() for a in accounts.values() if a["holder_name"]} | subject_names

    def payer(name: str | None) -> str | None:
        if name is None or not sar.redact_third_party_callers or name.strip().casefold() in holder_names:
            return name
        return THIRD_PARTY

    if "payment" in t:
        pay = t["payment"]
        receipts = {(r["office_id"], r["receipt_no"]) for r in ledger if r["receipt_no"] is not None}
        payments = {p["id"]: p for p in _fetch(connection, pay, pay.c.person_id == pid)}
        cover("payment", "person_id")
        for batch in chunks(sorted(receipts)):
            for p in connection.execute(select(pay).where(or_(*(and_(pay.c.office_id == o, pay.c.receipt_no == n)
                                                                 for o, n in batch)))).mappings():
                payments[p["id"]] = dict(p)
        sections["payments"] = [{**_row(p, ("person_id", "office_id", "idempotency_key", "terminal", "taken_by")),
                                 "paid_by": payer(p["paid_by"])} for p in sorted(payments.values(), key=lambda p: p["id"])]
        refunds = _fetch_in(connection, t["refund_request"], "account_id", accounts)
        sections["refunds"] = [{**_row(r, ("account_id", "idempotency_key", "requested_by", "decided_by",
                                           "ledger_entry_id")),
                                "account_ref": account_refs.get(r["account_id"]), "payee": payer(r["payee"])}
                               for r in refunds]
        arrangements = _fetch_in(connection, t["arrangement"], "account_id", accounts)
        instalments = _fetch_in(connection, t["arrangement_instalment"], "arrangement_id", [a["id"] for a in arrangements])
        sections["arrangements"] = [{**_row(a, ("account_id", "created_by", "ended_by")),
                                     "account_ref": account_refs.get(a["account_id"]),
                                     "instalments": [_row(i, ("id", "arrangement_id")) for i in instalments
                                                     if i["arrangement_id"] == a["id"]]} for a in arrangements]

    # Cases: the subject's own, and the household's cases that name no other person.
    case_t = t["work_case"]
    cond = case_t.c.person_id == pid
    if household_ids:
        cond = or_(cond, and_(case_t.c.person_id.is_(None), case_t.c.household_id.in_(sorted(household_ids))))
    cases = _fetch(connection, case_t, cond)
    cover("work_case", "person_id")
    case_ids = [c["id"] for c in cases]
    case_refs = {c["id"]: c["ref"] for c in cases}
    sections["cases"] = [{**_row(c, ("person_id", "household_id", "tenancy_id", "team_id", "assignee_id", "created_by")),
                          "team": teams.get(c["team_id"]), "assignee": staff_name(c["assignee_id"]),
                          "tenancy_ref": tenancy_refs.get(c["tenancy_id"])} for c in cases]
    sections["case_notes"] = [{**_row(n, ("case_id", "author_id")), "case_ref": case_refs.get(n["case_id"]),
                               "author": staff_name(n["author_id"])}
                              for n in _fetch_in(connection, t["case_note"], "case_id", case_ids, order="at")]

    # Contacts about the subject. Contacts where they called about someone else hold no link to
    # them (only a typed name), so they are not found here; docs/PRIVACY.md says so.
    con = t["contact"]
    contacts = _fetch(connection, con, con.c.person_id == pid, order=[con.c.at, con.c.id])
    cover("contact", "person_id")
    contact_ids = [c["id"] for c in contacts]
    reasons: dict[int, list[str]] = {}
    if "contact_reason" in t:
        for r in _fetch_in(connection, t["contact_reason"], "contact_id", contact_ids, order="position"):
            reasons.setdefault(r["contact_id"], []).append(r["reason_code"])
    sections["contacts"] = []
    for c in contacts:
        row = {**_row(c, ("person_id", "staff_id", "team_id", "case_id")), "staff": staff_name(c["staff_id"]),
               "team": teams.get(c["team_id"]), "case_ref": case_refs.get(c["case_id"]),
               "reasons": reasons.get(c["id"], [c["reason"]])}
        if sar.redact_third_party_callers:
            for key in ("third_party_name", "third_party_phone"):
                if row.get(key):
                    row[key] = THIRD_PARTY
        sections["contacts"].append(row)
    if "contact_revision" in t:
        # Corrections of those contacts: what each said before and after, who corrected it, when and why.
        sections["contact_corrections"] = [
            {**_row(r, ("by",)), "by": staff_name(r["by"])}
            for r in _fetch_in(connection, t["contact_revision"], "contact_id", contact_ids, order="revision")]

    if "follow_up" in t:
        fu = t["follow_up"]
        follow_ups = {f["id"]: f for f in _fetch(connection, fu, fu.c.person_id == pid)}
        follow_ups.update({f["id"]: f for f in _fetch_in(connection, fu, "contact_id", contact_ids)})
        follow_ups.update({f["id"]: f for f in _fetch_in(connection, fu, "case_id", case_ids)})
        sections["follow_ups"] = [{**_row(f, ("person_id", "case_id", "team_id", "assignee_id", "done_by", "created_by")),
                                   "case_ref": case_refs.get(f["case_id"]), "team": teams.get(f["team_id"]),
                                   "assignee": staff_name(f["assignee_id"])}
                                  for _i, f in sorted(follow_ups.items())]
        cover("follow_up", "person_id")
        sections["case_events"] = [{**_row(e, ("case_id", "actor_id")), "case_ref": case_refs.get(e["case_id"]),
                                    "by": staff_name(e["actor_id"])}
                                   for e in _fetch_in(connection, t["case_event"], "case_id", case_ids, order="at")]
        sections["complaint_stages"] = [{**_row(s, ("case_id", "handler_id")), "case_ref": case_refs.get(s["case_id"])}
                                        for s in _fetch_in(connection, t["complaint_stage"], "case_id", case_ids)]
        sections["repairs"] = [{**_row(s, ("case_id",)), "case_ref": case_refs.get(s["case_id"])}
                               for s in _fetch_in(connection, t["repair_detail"], "case_id", case_ids)]
        sg = t["safeguarding_concern"]
        concerns = {c["id"]: c for c in _fetch(connection, sg, sg.c.subject_person_id == pid)}
        cover("safeguarding_concern", "subject_person_id")
        concerns.update({c["id"]: c for c in _fetch_in(connection, sg, "case_id", case_ids)})
        sections["safeguarding_concerns"] = []
        for c in sorted(concerns.values(), key=lambda c: c["id"]):
            row = {**_row(c, ("case_id", "contact_id", "subject_person_id", "raised_by")),
                   "case_ref": case_refs.get(c["case_id"]), "about": "the subject"}
            if c["subject_person_id"] != pid and sar.redact_household_members:
                row.update(about="another person", subject_name=None, details="[withheld: about another person]")
            sections["safeguarding_concerns"].append(row)
        rv = t["reception_visit"]
        visits = {v["id"]: v for v in _fetch(connection, rv, rv.c.person_id == pid)}
        visits.update({v["id"]: v for v in _fetch_in(connection, rv, "contact_id", contact_ids)})
        sections["reception_visits"] = [_row(v, ("person_id", "office_id", "called_by", "added_by", "contact_id"))
                                        for _i, v in sorted(visits.items())]
        cover("reception_visit", "person_id")

    if "homeless_case" in t:
        hc_t = t["homeless_case"]
        hcond = hc_t.c.person_id == pid
        if case_ids:
            hcond = or_(hcond, hc_t.c.case_id.in_(case_ids))
        hcases = _fetch(connection, hc_t, hcond)
        cover("homeless_case", "person_id")
        missing = [h["case_id"] for h in hcases if h["case_id"] not in case_refs]
        for c in _fetch_in(connection, case_t, "id", missing):
            case_refs[c["id"]] = c["ref"]
        hc_ids = [h["id"] for h in hcases]
        hc_refs = {h["id"]: case_refs.get(h["case_id"]) for h in hcases}
        rows = []
        for h in hcases:
            row = {**_row(h, ("case_id", "person_id", "household_id", "contact_id")), "case_ref": case_refs.get(h["case_id"])}
            if sar.redact_household_members and row.get("household_text"):
                row["household_text"] = "[withheld: describes other household members]"
            rows.append(row)
        sections["homelessness_cases"] = rows
        hmem = []
        for m in _fetch_in(connection, t["homeless_member"], "homeless_case_id", hc_ids):
            if m["person_id"] == pid or not sar.redact_household_members:
                hmem.append({**_row(m, ("homeless_case_id", "person_id")), "case_ref": hc_refs.get(m["homeless_case_id"]),
                             "person": "the subject" if m["person_id"] == pid else "household member"})
            else:
                hmem.append({"case_ref": hc_refs.get(m["homeless_case_id"]), "person": OTHER_MEMBER,
                             "relationship": m["relationship"]})
        sections["homelessness_household"] = hmem
        cover("homeless_member", "person_id")
        for name, table, drop in (
                ("homelessness_support_needs", "homeless_support_need", ()),
                ("homelessness_stage_moves", "homeless_move", ("officer_id",)),
                ("homelessness_plan_steps", "homeless_plan_step", ("created_by",)),
                ("homelessness_notices", "homeless_notice", ("officer_id", "authorised_by")),
                ("homelessness_non_cooperation", "homeless_noncoop", ("proposed_by", "signed_off_by", "warning_notice_id", "notice_id")),
                ("homelessness_reviews", "homeless_review", ("reviewer_id", "notice_id")),
                ("homelessness_placements", "homeless_placement", ("created_by",))):
            sections[name] = [{**_row(r, ("homeless_case_id", *drop)), "case_ref": hc_refs.get(r["homeless_case_id"])}
                              for r in _fetch_in(connection, t[table], "homeless_case_id", hc_ids)]

    # Any other table that points at the person (added by an area after this module was written).
    person_fk = [(table, column.name) for table in t.values() for column in table.columns
                 for fk in column.foreign_keys if fk.column.table.name == "person" and table.name != "person"]
    other: list[dict[str, Any]] = []
    for table, column in person_fk:
        if (table.name, column) in covered or table.name in ("household_member",):
            continue
        for r in _fetch(connection, table, table.c[column] == pid):
            other.append({"record_type": table.name, **_row(r)})
    sections["other_records"] = other

    # Who looked at or changed the record (the access log): refs of everything above.
    if sar.include_access_log:
        ev = t["audit_event"]
        keys: dict[str, set[str]] = {
            "person": {ref}, "case": set(case_refs.values()) | {c["ref"] for c in cases},
            "contact": {str(i) for i in contact_ids}, "account": set(account_refs.values()),
            "visit": {str(v["id"]) for v in sections.get("reception_visits", [])},
            "arrangement": {a["ref"] for a in sections.get("arrangements", [])},
            "refund_request": {r["ref"] for r in sections.get("refunds", [])},
            "ledger_entry": {str(r["id"]) for r in ledger},
        }
        if sections.get("payments"):
            offices = {r.id: r.code for r in connection.execute(select(t["office"].c.id, t["office"].c.code))}
            keys["payment"] = {f"{offices.get(p['office_id'])}-{p['receipt_no']:06d}" for p in payments.values()}
        log: list[dict[str, Any]] = []
        for entity, ids in keys.items():
            for batch in chunks(sorted(ids)):
                for e in connection.execute(
                        select(ev.c.id, ev.c.at, ev.c.actor, ev.c.action, ev.c.entity, ev.c.entity_id)
                        .where(ev.c.entity == entity, ev.c.entity_id.in_(batch))).mappings():
                    log.append(dict(e))
        log.sort(key=lambda e: e["id"])
        sections["access_log"] = [{"at": _value(e["at"]), "staff": e["actor"], "action": e["action"],
                                   "record": f"{e['entity']} {e['entity_id']}"} for e in log]

    return {"person": _row(person), "sections": sections}


# --------------------------------------------------------------------------- output


SECTION_TITLES = {
    "alerts": "Alerts on your record", "households": "Households", "tenancies": "Tenancies",
    "accounts": "Accounts", "ledger": "Account transactions", "payments": "Payments and receipts",
    "refunds": "Refunds", "arrangements": "Arrangements to pay", "cases": "Cases",
    "case_notes": "Case notes", "contacts": "Contacts with us",
    "contact_corrections": "Corrections to contacts (what they said before)",
    "follow_ups": "Callbacks and appointments",
    "case_events": "Case history", "complaint_stages": "Complaint stages", "repairs": "Repairs",
    "safeguarding_concerns": "Safeguarding concerns", "reception_visits": "Visits to reception",
    "homelessness_cases": "Homelessness applications", "homelessness_household": "Household at the application",
    "homelessness_support_needs": "Support needs", "homelessness_stage_moves": "Homelessness decisions and stages",
    "homelessness_plan_steps": "Personalised housing plan", "homelessness_notices": "Letters and notices",
    "homelessness_non_cooperation": "Non-cooperation notices", "homelessness_reviews": "Reviews",
    "homelessness_placements": "Temporary accommodation", "other_records": "Other records",
    "access_log": "Who has looked at or changed your record",
}


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _text_value(value: Any, indent: str) -> list[str]:
    if isinstance(value, list):
        if not value:
            return ["none"]
        lines: list[str] = []
        for item in value:
            if isinstance(item, dict):
                lines.append(f"{indent}  - " + "; ".join(f"{_label(k)}: {_plain(v)}" for k, v in item.items()))
            else:
                lines.append(f"{indent}  - {_plain(item)}")
        return ["", *lines]
    return [_plain(value)]


def _plain(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    # Controls, escapes and bidi overrides are shown as symbols, never sent to whoever prints or
    # reads the report; nothing is cut (the report must hold everything).
    return inert(value, limit=None).replace("\n", "\n      ")


def render_text(document: dict[str, Any]) -> str:
    """The readable report a caseworker can hand over."""
    export = document["export"]
    person = document["person"]
    out = [f"Subject access request: everything we hold about {_plain(person['ref'])}",
           f"Produced {export['generated_at']} (UK date {export['as_of']}) by {_plain(export['generated_by'])}.",
           "",
           "Other people's personal data is left out: other household members appear only as "
           f"\"{OTHER_MEMBER}\", and people who called or paid for you as \"{THIRD_PARTY}\".",
           "The same information, in full, is in sar.json.", "", "== Your details =="]
    for key, value in person.items():
        if key == "id":
            continue
        out.append(f"  {_label(key)}: {_plain(value)}")
    for name, rows in document["sections"].items():
        out += ["", f"== {SECTION_TITLES.get(name, _label(name))} ({len(rows)}) =="]
        if not rows:
            out.append("  none")
        for number, row in enumerate(rows, start=1):
            out.append(f"  [{number}]")
            for key, value in row.items():
                if key == "id" or key.endswith("_id"):
                    continue
                rendered = _text_value(value, "    ")
                out.append(f"    {_label(key)}: {rendered[0]}")
                out.extend(rendered[1:])
    return "\n".join(out) + "\n"


def _write_file(path: Path, text: str) -> None:
    """A new file, mode 0600 whatever the umask (it holds one person's data)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _write(folder: Path, document: dict[str, Any]) -> tuple[Path, ...]:
    json_path, text_path = folder / "sar.json", folder / "report.txt"
    _write_file(json_path, dump_json(document, indent=2, default=str) + "\n")
    _write_file(text_path, render_text(document))
    return (text_path, json_path)
