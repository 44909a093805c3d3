"""What the court holds on an account (claims, hearings, warrants) and the court pack (docs/INCOME_COURT.md).

The pack is what a possession claim for rent arrears needs (PD 55A para 2.3A; form N119 on Possession
Claims Online): the rent schedule with a running balance, the daily rent, the steps taken before the
claim, the benefit information, and the N119 particulars in the form's order. It is read in one read
transaction and audited as a read of personal data (``arrears.court_pack``) before it is returned.
``court_pack_files`` writes the schedule CSV, the particulars text and one PDF, each 0600, in a folder
of its own (0700) made inside the folder given.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlmodel import col
from sqlmodel import select as sqlmodel_select

from duty_tui.areas.income.db.models import (
    ArrearsNotice,
    BenefitClaim,
    CourtHearing,
    Eviction,
    ManagedPayment,
    PossessionClaim,
    ProtocolStep,
    RecoveryAction,
)
from duty_tui.areas.income.domain.court import (
    Schedule,
    build_schedule,
    daily_rent_pence,
    pounds,
    schedule_csv_rows,
    schedule_lines,
    schedule_start,
)
from duty_tui.areas.income.domain.law import STEP_WORDS
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Account, HouseholdMember, LedgerEntry, Person, Property, Tenancy, table_of
from duty_tui.core.domain.errors import InputError, NotFound
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext
from duty_tui.core.services.pdf import text_pdf
from duty_tui.core.services.printable import document_text, file_stem

ACCOUNT, LEDGER = table_of(Account), table_of(LedgerEntry)
KIND_WORDS = {"rent_debit": "Rent due", "payment": "Payment", "housing_benefit": "Housing benefit",
              "universal_credit": "Universal credit (managed payment)", "reversal": "Reversal",
              "refund": "Refund", "write_off": "Write-off", "adjustment": "Adjustment", "transfer": "Transfer"}
NOTICE_WORDS = {"nosp": "notice seeking possession (Housing Act 1985 s83)",
                "s128": "notice of proceedings (Housing Act 1996 s128)",
                "s14": "notice of proceedings (Housing (Scotland) Act 2001 s14)"}


def _d(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "-"


# --- what the court holds ------------------------------------------------------------------------

@dataclass(frozen=True)
class ClaimView:
    """A claim, its hearings (oldest first) and its warrants, as the screen shows them."""

    claim: PossessionClaim
    hearings: tuple[CourtHearing, ...]
    evictions: tuple[Eviction, ...]


@dataclass(frozen=True)
class CourtRecord:
    """An account's claims, newest first."""

    account_ref: str
    holder: str
    claims: tuple[ClaimView, ...]

    @property
    def open_claim(self) -> ClaimView | None:
        """The claim not yet closed, if any."""
        return next((c for c in self.claims if c.claim.closed_on is None), None)


def _account(session, ref: str) -> Account:
    wanted = "".join((ref or "").split()).upper()
    if not wanted:
        raise InputError("enter an account ref, e.g. RNT000123")
    found = session.execute(select(ACCOUNT.c.id).where(ACCOUNT.c.ref == wanted)).scalar()
    account = session.get(Account, found) if found is not None else None
    if account is None:
        raise NotFound(f"no account with ref {wanted!r}; check the ref or search for the person")
    if account.account_type != "rent":
        raise InputError(f"{wanted} is a {account.account_type.replace('_', ' ')} account: the court is recorded on "
                         "rent accounts")
    return account


def _rows(session, model, account_id: int, *order) -> list:
    rows = list(session.exec(sqlmodel_select(model).where(model.account_id == account_id).order_by(*order)).all())
    for row in rows:
        session.expunge(row)
    return rows


def _claims(session, account_id: int) -> tuple[ClaimView, ...]:
    claims = _rows(session, PossessionClaim, account_id, col(PossessionClaim.issued_on).desc(),
                   col(PossessionClaim.id).desc())
    hearings = _rows(session, CourtHearing, account_id, CourtHearing.hearing_on, CourtHearing.id)
    evictions = _rows(session, Eviction, account_id, Eviction.warrant_applied_on, Eviction.id)
    return tuple(ClaimView(c, tuple(h for h in hearings if h.claim_id == c.id),
                           tuple(e for e in evictions if e.claim_id == c.id)) for c in claims)


def court_record(ctx: ServiceContext, account_ref: str) -> CourtRecord:
    """The account's claims with their hearings and warrants (audited as a view)."""
    ctx.require("account.view")
    with session_scope(ctx.engine) as session:
        account = _account(session, account_ref)
        assert account.id is not None
        record = CourtRecord(account.ref, account.holder_name, _claims(session, account.id))
    audit.record_read(ctx, "arrears.court_viewed", "account", record.account_ref, {"claims": len(record.claims)})
    return record


# --- the court pack -------------------------------------------------------------------------------

@dataclass(frozen=True)
class CourtPack:
    """Everything the N119 particulars and PD 55A 2.3A ask for, read on ``as_of``."""

    account_ref: str
    holder: str
    as_of: date
    address: tuple[str, ...]
    in_possession: tuple[str, ...]
    tenancy_type: str
    tenancy_start: date | None
    weekly_rent_pence: int
    daily_rent_pence: int
    balance_pence: int
    schedule: Schedule
    notice: ArrearsNotice | None
    steps: tuple[tuple[date, str], ...]
    benefits: tuple[str, ...]
    circumstances: tuple[str, ...]
    claims: tuple[ClaimView, ...] = field(default=())

    def particulars(self) -> list[str]:
        """The N119 particulars, in the form's order, ready to type into Possession Claims Online."""
        notice = self.notice
        lines = [f"Account {self.account_ref} ({self.holder}); prepared {_d(self.as_of)}", "",
                 "1. The claimant has a right to possession of:", *(f"   {a}" for a in self.address), "",
                 "2. To the best of the claimant's knowledge these persons are in possession of the property:",
                 *(f"   {p}" for p in self.in_possession or ("(none recorded)",)), "",
                 "3. About the tenancy:",
                 f"   (a) let to the defendant(s) under a {self.tenancy_type.replace('_', ' ')} tenancy which began "
                 f"on {_d(self.tenancy_start)}",
                 f"   (b) the current rent is {pounds(self.weekly_rent_pence)} payable each week",
                 f"   (c) unpaid rent and use and occupation: {pounds(self.daily_rent_pence)} a day "
                 "(the weekly rent ÷ 7, to the penny, half up)", "",
                 "4. The reason the claimant is asking for possession: the defendant has not paid the rent due",
                 f"   Arrears at {_d(self.as_of)}: {pounds(self.balance_pence)}; arrears began "
                 f"{_d(self.schedule.arrears_began_on)} (schedule attached, from {_d(self.schedule.starts_on)})", "",
                 "5. Steps already taken to recover the arrears:",
                 *(f"   {_d(on)}  {what}" for on, what in self.steps or ((None, "(none recorded)"),)), "",
                 "6. The notice relied on:",
                 (f"   a {NOTICE_WORDS.get(notice.kind, notice.kind)} served on {_d(notice.served_on)} "
                  f"({notice.method.replace('_', ' ')}); proceedings from {_d(notice.proceedings_from)}"
                  + (f", in force until {_d(notice.lapses_on)}" if notice.lapses_on else "")) if notice
                 else "   (no notice in force is recorded)", "",
                 "7. Information known about the defendant's circumstances:",
                 *(f"   {c}" for c in self.circumstances or ("(none recorded)",)), "",
                 "8. Benefits:", *(f"   {b}" for b in self.benefits or ("(no benefit claim recorded)",))]
        return lines

    def as_json(self) -> dict[str, Any]:
        """The pack for --json."""
        return {"account_ref": self.account_ref, "as_of": self.as_of.isoformat(), "address": list(self.address),
                "in_possession": list(self.in_possession), "tenancy_type": self.tenancy_type,
                "tenancy_start": self.tenancy_start.isoformat() if self.tenancy_start else None,
                "weekly_rent_pence": self.weekly_rent_pence, "daily_rent_pence": self.daily_rent_pence,
                "balance_pence": self.balance_pence,
                "schedule_from": self.schedule.starts_on.isoformat(),
                "arrears_began_on": (self.schedule.arrears_began_on.isoformat()
                                     if self.schedule.arrears_began_on else None),
                "brought_forward_pence": self.schedule.brought_forward_pence,
                "schedule": [row.as_json() for row in self.schedule.rows],
                "notice": ({"kind": self.notice.kind, "served_on": self.notice.served_on.isoformat(),
                            "proceedings_from": self.notice.proceedings_from.isoformat()} if self.notice else None),
                "steps": [{"date": on.isoformat(), "step": what} for on, what in self.steps],
                "benefits": list(self.benefits), "circumstances": list(self.circumstances),
                "particulars": self.particulars()}


def _people(session, tenancy: Tenancy | None) -> tuple[str, ...]:
    if tenancy is None:
        return ()
    people = session.exec(sqlmodel_select(Person).join(HouseholdMember, col(HouseholdMember.person_id) == col(Person.id))
                          .where(HouseholdMember.household_id == tenancy.household_id,
                                 col(HouseholdMember.left_on).is_(None))
                          .order_by(col(HouseholdMember.is_lead).desc(), col(HouseholdMember.id))).all()
    return tuple(" ".join(p for p in (person.title, person.forename, person.surname) if p) for person in people)


def _address(prop: Property | None) -> tuple[str, ...]:
    if prop is None:
        return ("(no property recorded)",)
    return tuple(x for x in (prop.address_line1, prop.address_line2, prop.town, prop.postcode) if x)


def _steps(session, account_id: int) -> tuple[tuple[date, str], ...]:
    steps: list[tuple[date, str]] = []
    for a in _rows(session, RecoveryAction, account_id, RecoveryAction.taken_on, RecoveryAction.id):
        steps.append((a.taken_on, a.action.replace("_", " ") + (f": {a.note}" if a.note else "")))
    for p in _rows(session, ProtocolStep, account_id, ProtocolStep.done_on, ProtocolStep.id):
        steps.append((p.done_on, f"pre-action protocol: {STEP_WORDS.get(p.step, p.step)} (evidence: {p.evidence})"))
    for n in _rows(session, ArrearsNotice, account_id, ArrearsNotice.served_on, ArrearsNotice.id):
        steps.append((n.served_on, f"{NOTICE_WORDS.get(n.kind, n.kind)} served ({n.method.replace('_', ' ')})"
                      + (f"; withdrawn {_d(n.withdrawn_on)}" if n.withdrawn_on else "")))
    return tuple(sorted(steps, key=lambda s: s[0]))


def _benefits(session, account_id: int) -> tuple[str, ...]:
    out = []
    for b in _rows(session, BenefitClaim, account_id, BenefitClaim.made_on, BenefitClaim.id):
        state = f"decided {_d(b.decided_on)}: {b.outcome}" if b.decided_on else "not yet decided"
        out.append(f"{b.kind.replace('_', ' ')} claim made {_d(b.made_on)}, {state}")
    for m in _rows(session, ManagedPayment, account_id, ManagedPayment.requested_on, ManagedPayment.id):
        out.append(f"universal credit managed payment to the landlord requested {_d(m.requested_on)}: {m.state} "
                   f"since {_d(m.state_on)}")
    return tuple(out)


def _ledger(session, account_id: int) -> list[tuple[date, str, str, int]]:
    rows = session.execute(select(LEDGER.c.effective_date, LEDGER.c.kind, LEDGER.c.amount_pence)
                           .where(LEDGER.c.account_id == account_id)
                           .order_by(LEDGER.c.effective_date, LEDGER.c.id)).all()
    return [(on, kind, KIND_WORDS.get(kind, kind.replace("_", " ").capitalize()), int(pence))
            for on, kind, pence in rows]


def _read_pack(session, account: Account, as_of: date) -> CourtPack:
    assert account.id is not None
    tenancy = session.get(Tenancy, account.tenancy_id) if account.tenancy_id is not None else None
    prop = session.get(Property, tenancy.property_id) if tenancy else None
    entries = _ledger(session, account.id)
    schedule = build_schedule(entries, starts_on=schedule_start(as_of, tenancy.start_date if tenancy else None),
                              ends_on=as_of)
    claims = _claims(session, account.id)
    notice = None
    if claims and claims[0].claim.notice_id is not None:
        notice = session.get(ArrearsNotice, claims[0].claim.notice_id)
    if notice is None:
        notices = _rows(session, ArrearsNotice, account.id, col(ArrearsNotice.served_on).desc(),
                        col(ArrearsNotice.id).desc())
        notice = next((n for n in notices if n.withdrawn_on is None), None)
    steps = _steps(session, account.id)
    circumstances = tuple(f"{_d(on)}: {what}" for on, what in steps if "vulnerability" in what)
    weekly = tenancy.weekly_rent_pence if tenancy else 0
    return CourtPack(account.ref, account.holder_name, as_of, _address(prop), _people(session, tenancy),
                     tenancy.tenancy_type if tenancy else "unknown", tenancy.start_date if tenancy else None, weekly,
                     daily_rent_pence(weekly), sum(e[3] for e in entries if e[0] <= as_of), schedule, notice, steps,
                     _benefits(session, account.id), circumstances, claims)


def court_pack(ctx: ServiceContext, account_ref: str) -> CourtPack:
    """The court pack of a rent account as of today (audited as a read of personal data)."""
    ctx.require("account.view")
    with session_scope(ctx.engine) as session:
        pack = _read_pack(session, _account(session, account_ref), ctx.today())
    audit.record_read(ctx, "arrears.court_pack", "account", pack.account_ref,
                      {"schedule_rows": len(pack.schedule.rows), "schedule_from": pack.schedule.starts_on.isoformat()})
    return pack


def pack_pdf_lines(pack: CourtPack) -> list[str]:
    """The PDF's lines: the particulars, then the schedule."""
    return [*pack.particulars(), "", "", "Rent schedule (PD 55A para 2.3A): each sum due and paid, running balance",
            "", *schedule_lines(pack.schedule)]


def pack_csv(pack: CourtPack) -> str:
    """The schedule as CSV; a description that a spreadsheet would run as a formula is quoted with '."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in schedule_csv_rows(pack.schedule):
        writer.writerow([("'" + cell) if i == 1 and cell[:1] in "=+-@\t\r" and cell else cell
                         for i, cell in enumerate(row)])
    return out.getvalue()


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(fd, "wb") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(data)


def write_pack_files(pack: CourtPack, out_dir: Path) -> list[Path]:
    """Write the pack's three files in ``out_dir``/court-pack-REF-YYYYMMDD (0700), each 0600."""
    base = Path(out_dir).expanduser()
    if not base.is_dir():
        raise InputError(f"--out: {base} is not a folder; give a folder that exists")
    folder = base / file_stem(f"court-pack-{pack.account_ref}-{pack.as_of:%Y%m%d}")
    folder.mkdir(mode=0o700, exist_ok=True)
    os.chmod(folder, 0o700)
    title = f"Court pack: {pack.account_ref}, {pack.holder}, {_d(pack.as_of)}"
    files = {f"{pack.account_ref}-rent-schedule.csv": pack_csv(pack).encode("utf-8"),
             f"{pack.account_ref}-n119-particulars.txt": document_text(pack.particulars()).encode("utf-8"),
             f"{pack.account_ref}-court-pack.pdf": text_pdf(title, pack_pdf_lines(pack), font_size=9)}
    paths = []
    for name, data in files.items():
        paths.append(folder / file_stem(name))
        _write_private(paths[-1], data)
    return paths


def court_pack_files(ctx: ServiceContext, account_ref: str, out_dir: Path) -> list[Path]:
    """Produce the court pack and write its schedule CSV, particulars text and PDF; returns the paths."""
    base = Path(out_dir).expanduser()
    if not base.is_dir():
        raise InputError(f"--out: {base} is not a folder; give a folder that exists")
    return write_pack_files(court_pack(ctx, account_ref), base)


__all__ = ["ClaimView", "CourtPack", "CourtRecord", "court_pack", "court_pack_files", "court_record", "pack_csv",
           "pack_pdf_lines", "write_pack_files"]
