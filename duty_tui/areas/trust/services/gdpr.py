"""UK GDPR: subject access exports and the retention schedule (data/trust/retention.toml).

``subject_access`` gathers everything held about one person into one JSON document
(``sar.json``) and one readable text report (``report.txt``) in a new folder, leaving out
other people's personal data as ``[sar]`` policy says, and audits the export ("gdpr.sar")
in the same transaction that reads. ``duty_tui.areas.trust.services.gdpr_purge`` anonymises what is
past retention. docs/PRIVACY.md describes both for staff.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from duty_tui.areas.trust.services.gdpr_gather import OTHER_MEMBER, THIRD_PARTY, gather, json_value
from duty_tui.areas.trust.services.gdpr_gather import tables as tables  # re-exported: the purge tests read it from here
from duty_tui.core.config.private_files import is_disk_full, make_private_folder
from duty_tui.core.config.reference import area_file, line_of, read_toml
from duty_tui.core.db.engine import session_scope
from duty_tui.core.domain.errors import DutyError, EnvironmentProblem, InputError
from duty_tui.core.domain.validators import inert
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext
from duty_tui.core.services.outputs import check_out_dir, dump_json

ANONYMISED = "Anonymised"
"""What names and other required text become when a record is anonymised."""

RECORD_TYPES = ("person", "contact", "follow_up", "case", "homelessness_case", "reception_visit", "audit_event")
"""Record types the retention schedule must give a period for."""


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
    """data/trust/retention.toml, validated."""

    sar: SarPolicy
    retention: dict[str, Retention]


def load_policy(data_dir: Path) -> GdprPolicy:
    """Read and check ``data_dir/retention.toml``; a problem names the file and line (exit 3)."""
    path = area_file(Path(data_dir), "trust", "retention.toml")
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
    retention = raw.get("retention", {})
    if not isinstance(retention, dict):
        raise problem("retention", "retention must hold tables: [retention.contact] ...")
    for record_type, body in retention.items():
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
            document["export"] = {"person_ref": ref, "generated_at": json_value(ctx.now()),
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
