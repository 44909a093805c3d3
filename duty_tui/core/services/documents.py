"""Sending a document where it is needed: a printer, an email, a browser download, or a private file.

One path for every document (receipts, statements, cash-up reports, letters): the send dialog
(``duty_tui.core.tui.dialogs.send_document``) asks ``send_options`` what this terminal can do and what
it did last time, then ``send_document`` does it. Nothing here imports Textual: a browser
download is handed in by the TUI as a function.

- **print**: CUPS's ``lp -d QUEUE`` with the PDF on standard input (a queue listed in
  ``text_printers``, such as a receipt printer, gets the 42-column text instead). The queue is
  checked with ``lpstat`` first, so a missing ``lp``, a print server that is not running, an
  unknown queue, a stopped queue or one refusing jobs is a message naming the printer and the fix,
  never a job that waits unseen.
- **email**: ``smtplib`` with the office's settings (``smtp_*``): STARTTLS, SSL or none, signing
  in when a user name is set, the PDF attached. The recipient comes from the person's record or
  is typed; the password is never shown or logged.
- **download** (browser sessions): the PDF goes to that browser; nothing is left on the server.
- **save** (terminal sessions): the text and PDF in the user's own folder, 0600.

Audit: before anything leaves, ``document.send`` is written in a transaction of its own (kind,
record, channel, destination with an email address masked); if it cannot be written nothing is
sent. A send that then fails writes ``document.send_failed`` naming that attempt and the reason.

A failed send is kept: the dialog stays open with the document (Enter tries again, or another way
is chosen), and in a terminal the files are also saved in the user's private folder so it can be
printed from there later. In a browser nothing is written on the server (docs/DOCUMENTS.md).

Each terminal remembers, per kind of document, the way it last sent one successfully and the
printer (table ``terminal_send_choice``); an email recipient is never remembered.
"""

from __future__ import annotations

import os
import re
import shutil
import smtplib
import socket
import ssl
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Account, Case, LedgerEntry, Office, Person
from duty_tui.core.db.models_drafts import TerminalSendChoice
from duty_tui.core.domain.errors import DutyError, InputError, PermissionDenied
from duty_tui.core.domain.masking import mask_email
from duty_tui.core.domain.validators import clean_email, inert
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext, os_identity
from duty_tui.core.services.printable import Document, save_document

CHANNELS = ("print", "email", "download", "save")
"""Every way a document can go, in the order the dialog lists them."""

CHANNEL_WORDS = {"print": "Print", "email": "Email", "download": "Download to this browser",
                 "save": "Save a file on this computer"}

LP_TIMEOUT = 30.0
"""Seconds to wait for ``lp``/``lpstat`` (a remote print server that does not answer)."""

KEPT_HERE = "The document is kept: Enter tries again, or choose another way."

NO_LP = ("Printing needs CUPS's lp command, which is not installed on this computer: ask IT to install it "
         "(apt-get install cups-client).")


class SendFailed(DutyError):
    """The document did not go; ``message`` names what failed and the fix, ``kept`` where a copy was saved."""

    def __init__(self, message: str, kept: list[str] | None = None) -> None:
        super().__init__(message)
        self.kept = kept or []


@dataclass(frozen=True)
class SendRequest:
    """How to send: a channel, and the printer queue or email address it needs."""

    channel: str
    printer: str | None = None
    email_to: str | None = None


@dataclass(frozen=True)
class Sent:
    """A document that went: how, where (as shown to the person sending it), and the line to tell them."""

    channel: str
    destination: str
    message: str
    paths: tuple[str, ...] = ()
    job: str | None = None


@dataclass(frozen=True)
class SendOptions:
    """What the send dialog offers on this terminal for one document."""

    channels: tuple[str, ...]
    """The ways open here: print and email always listed; download in a browser, save in a terminal."""
    channel: str
    """The way to preselect: what this terminal used last for this kind of document."""
    printers: tuple[str, ...]
    printer: str | None
    """The printer to preselect."""
    email_to: str
    """The recipient from the person's record, or empty."""
    recipient: str
    """Who the document is about ("Jon Smyth"), or empty."""
    email_problem: str | None
    """Why email cannot be used here (not set up), or None."""
    print_problem: str | None
    """Why printing cannot be used here (no lp, no printer), or None."""


# --- the terminal's remembered choice --------------------------------------------------------


def terminal_key(ctx: ServiceContext) -> str:
    """The desk this session sits at, for remembering its choices.

    The configured ``terminal_id`` (a browser's address, or a label such as ``desk-3``) when there
    is one; otherwise the audit's terminal without the OS user and with a pseudo-terminal's number
    dropped (``/dev/pts/4`` changes with every window; the host does not).
    """
    label = (ctx.settings.terminal_id or "").strip()
    if label:
        return label[:128]
    key = ctx.terminal.split(" (claimed", 1)[0]
    suffix = "/" + os_identity()
    if key.endswith(suffix):
        key = key[: -len(suffix)]
    return re.sub(r"/dev/pts/\d+", "pts", key)[:128] or "terminal"


def remembered(ctx: ServiceContext, kind: str) -> tuple[str, str | None] | None:
    """(channel, printer) this terminal last used for ``kind``, or None."""
    with session_scope(ctx.engine) as session:
        row = session.get(TerminalSendChoice, (terminal_key(ctx), kind[:32]))
        return (row.channel, row.printer) if row else None


def remember(ctx: ServiceContext, kind: str, channel: str, printer: str | None) -> None:
    """Remember ``channel`` (and the printer) as this terminal's way for ``kind``."""
    key = (terminal_key(ctx), kind[:32])
    actor_id = ctx.actor.id if ctx.actor else None
    for _attempt in range(2):
        try:
            with session_scope(ctx.engine, write=True) as session:
                row = session.get(TerminalSendChoice, key)
                if row is None:
                    row = TerminalSendChoice(terminal=key[0], kind=key[1], channel=channel, printer=None,
                                             updated_at=ctx.now())
                row.channel = channel
                if printer:
                    row.printer = printer[:128]
                row.updated_at = ctx.now()
                row.updated_by = actor_id
                session.add(row)
            return
        except IntegrityError:
            continue  # another session at this desk remembered first: update its row


# --- what can be done here ------------------------------------------------------------------


def _lp_env() -> dict[str, str]:
    """The environment for lp/lpstat: ours (CUPS_SERVER, PATH) with English messages to read."""
    return {**os.environ, "LC_ALL": "C", "LANG": "C", "LANGUAGE": "C"}


def _run(args: list[str], data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(args, input=data, capture_output=True, timeout=LP_TIMEOUT, env=_lp_env(),
                              check=False)
    except FileNotFoundError:
        raise SendFailed(NO_LP.replace(" lp ", f" {args[0]} ")) from None
    except subprocess.TimeoutExpired:
        raise SendFailed(f"The print server did not answer within {LP_TIMEOUT:.0f} s: check it is running "
                         "(lpstat -r) and try again.") from None
    except OSError as exc:
        raise SendFailed(f"{args[0]} could not be run ({exc.strerror or exc}): ask IT to check CUPS.") from None


def _said(output: bytes, limit: int = 160) -> str:
    """What a program or server said, as one inert line."""
    text = " ".join(output.decode("utf-8", "replace").split())
    return inert(text, limit=limit)


def printer_queues(ctx: ServiceContext) -> tuple[str, ...]:
    """The queues to offer: the ``printers`` setting, else every queue CUPS lists (none without lp)."""
    if ctx.settings.printers:
        return tuple(ctx.settings.printers)
    if shutil.which("lpstat") is None:
        return ()
    try:
        done = _run(["lpstat", "-e"])
    except SendFailed:
        return ()
    if done.returncode != 0:
        return ()
    names = [line.strip() for line in done.stdout.decode("utf-8", "replace").splitlines()]
    return tuple(name for name in names if name and name.isprintable() and " " not in name)[:50]


def _email_problem(ctx: ServiceContext) -> str | None:
    settings = ctx.settings
    if not settings.smtp_host:
        return "Email is not set up on this computer: ask IT to set smtp_host and smtp_from (docs/DOCUMENTS.md)."
    if not settings.smtp_from:
        return "Email has no From address: ask IT to set smtp_from in the config file (docs/DOCUMENTS.md)."
    return None


def _about(ctx: ServiceContext, document: Document) -> Person | None:
    """The person the document is about: a receipt's payer (else its first account's holder), an
    account's holder (its named person, else the lead of its tenancy's household), a case's applicant."""
    if not document.entity_id:
        return None
    from duty_tui.core import registry
    from duty_tui.core.services.holders import holder_person

    with session_scope(ctx.engine) as session:
        if document.entity == "account":
            account = session.exec(select(Account).where(Account.ref == document.entity_id)).first()
            return holder_person(session, account) if account else None
        if document.entity == "case":
            case = session.exec(select(Case).where(Case.ref == document.entity_id)).first()
            return session.get(Person, case.person_id) if case and case.person_id else None
        if document.entity != "payment":
            return None
        code, _, number = document.entity_id.rpartition("-")
        office = session.exec(select(Office).where(Office.code == code)).first()
        if office is None or not number.isdigit():
            return None
        for payer_of in registry.hooks("documents.person_about"):  # a receipt's payer, where the payments area knows one
            payer = payer_of(session, office.id, int(number))
            if payer is not None:
                return payer
        account = session.exec(
            select(Account).join(LedgerEntry, LedgerEntry.account_id == Account.id)
            .where(LedgerEntry.office_id == office.id, LedgerEntry.receipt_no == int(number))
            .order_by(col(LedgerEntry.id))).first()
        return holder_person(session, account) if account else None


def send_options(ctx: ServiceContext, document: Document, *, web: bool) -> SendOptions:
    """What this terminal can do with ``document`` and what it did last time for its kind (a worker thread)."""
    channels = ("print", "email", "download" if web else "save")
    printers = printer_queues(ctx)
    last = remembered(ctx, document.kind)
    channel, printer = last if last else ("download" if web else "save", None)
    if channel in ("download", "save"):
        channel = channels[2]  # a terminal that downloaded last saves here, and the other way round
    if channel not in channels:
        channel = channels[2]
    if printer not in printers:
        printer = printers[0] if printers else printer
    if shutil.which("lp") is None:
        print_problem: str | None = NO_LP
    elif not printers:
        print_problem = ("No printer is set up for this computer: ask IT to add one to CUPS, or name its queue in "
                         "the config file (printers = [\"desk-1\"]).")
    else:
        print_problem = None
    person = _about(ctx, document) if ctx.can("person.view") else None
    name = " ".join(p for p in (person.forename, person.surname) if p) if person else ""
    return SendOptions(channels=channels, channel=channel, printers=printers, printer=printer,
                       email_to=(person.email or "") if person else "", recipient=name,
                       email_problem=_email_problem(ctx), print_problem=print_problem)


# --- the channels -----------------------------------------------------------------------------


def check_printer(queue: str) -> None:
    """The queue exists, is started and takes jobs; SendFailed naming the printer and the fix otherwise."""
    if shutil.which("lp") is None:
        raise SendFailed(NO_LP)
    running = _run(["lpstat", "-r"])
    if running.returncode != 0 or b"not running" in running.stdout + running.stderr:
        raise SendFailed(f"The print server (CUPS) is not running, so {queue} cannot print: ask IT to start it "
                         "(systemctl start cups), or choose another way.")
    state = _run(["lpstat", "-p", queue])
    if state.returncode != 0 or not state.stdout.strip():
        raise SendFailed(f"There is no printer called {queue} on this computer's print server: choose another, "
                         "or ask IT to add it (lpstat -e lists the printers).")
    lines = state.stdout.decode("utf-8", "replace").splitlines()
    reason = " ".join(line.strip() for line in lines[1:] if line.strip())
    why = f" ({inert(reason, limit=80)})" if reason and reason.lower() != "paused" else ""
    if " disabled" in lines[0]:
        raise SendFailed(f"Printer {queue} is stopped{why}: ask IT to start it (cupsenable {queue}), "
                         "or choose another printer.")
    accepting = _run(["lpstat", "-a", queue])
    if b"not accepting" in accepting.stdout:
        raise SendFailed(f"Printer {queue} is not taking documents: ask IT to let it (cupsaccept {queue}), "
                         "or choose another printer.")


def print_document(ctx: ServiceContext, document: Document, queue: str) -> str | None:
    """Send ``document`` to CUPS queue ``queue``; returns the job id ("desk-1-12"), or SendFailed."""
    if not queue:
        raise InputError("Choose a printer.")
    text_only = queue in ctx.settings.text_printers
    if text_only and document.text is None:
        raise SendFailed(f"{queue} prints text only (a receipt printer), and {document.title or 'this document'} "
                         "is a full page: choose another printer.")
    check_printer(queue)
    title = inert(document.title or document.name, limit=100).encode("ascii", "replace").decode()
    args = ["lp", "-d", queue, "-t", title]
    if text_only:
        args += ["-o", "raw"]
        data = (document.text or "").encode(ctx.settings.text_printer_encoding, errors="replace")
    else:
        data = document.pdf
    done = _run(args, data)
    if done.returncode != 0:
        said = _said(done.stderr or done.stdout) or f"lp ended with code {done.returncode}"
        raise SendFailed(f"Printer {queue} did not take the document ({said}): check the printer, "
                         "or choose another.")
    match = re.search(r"request id is (\S+)", done.stdout.decode("utf-8", "replace"))
    return match.group(1) if match else None


def _office_name(ctx: ServiceContext) -> str:
    """The sender's office as its documents name it (the database's office), else the configured name."""
    from duty_tui.core.services.holders import office_for

    try:
        with session_scope(ctx.engine) as session:
            return office_for(session, ctx).name
    except DutyError:
        return ctx.settings.office_name


def email_message(ctx: ServiceContext, document: Document, to: str) -> EmailMessage:
    """The email: a short covering note (no personal details in it) and the PDF attached."""
    settings = ctx.settings
    office = " ".join(inert(_office_name(ctx), limit=120).split())  # one line: it goes in the Subject
    title = document.title or document.name
    message = EmailMessage()
    message["Subject"] = f"{title} from {office}"
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=settings.smtp_from.rpartition("@")[2] or None)
    message.set_content(f"Please find attached {title} from {office}, as a PDF.\n\n"
                        "If you were not expecting it, please tell us and delete this email.\n")
    message.add_attachment(document.pdf, maintype="application", subtype="pdf", filename=document.pdf_name)
    return message


def email_document(ctx: ServiceContext, document: Document, to: str) -> str:
    """Email ``document`` to ``to`` through the office's mail server; returns the address, or SendFailed."""
    problem = _email_problem(ctx)
    if problem:
        raise SendFailed(problem)
    try:
        address = clean_email(to)
    except ValueError as exc:
        raise InputError(str(exc)[:1].upper() + str(exc)[1:] + ".") from None
    settings = ctx.settings
    server = f"{settings.smtp_host}:{settings.smtp_port}"
    message = email_message(ctx, document, address)
    try:
        if settings.smtp_security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port,
                                                  timeout=settings.smtp_timeout, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout)
        with smtp:
            if settings.smtp_security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_username:
                smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
            smtp.send_message(message, to_addrs=[address])
    except smtplib.SMTPAuthenticationError:
        raise SendFailed(f"The mail server {server} refused the user name and password: ask IT to check "
                         "smtp_username and the password (DUTY_SMTP_PASSWORD).") from None
    except smtplib.SMTPNotSupportedError as exc:
        raise SendFailed(f"The mail server {server} does not offer what the settings ask for ({_said(str(exc).encode())}): "
                         "ask IT to check smtp_security and smtp_port.") from None
    except smtplib.SMTPRecipientsRefused as exc:
        code, said = next(iter(exc.recipients.values()), (0, b""))
        raise InputError(f"The mail server {server} refused the address {address} ({code} {_said(said)}): "
                         "check it with the person.") from None
    except smtplib.SMTPSenderRefused as exc:
        raise SendFailed(f"The mail server {server} refused the From address {settings.smtp_from} "
                         f"({exc.smtp_code} {_said(exc.smtp_error)}): ask IT to check smtp_from.") from None
    except smtplib.SMTPResponseException as exc:
        raise SendFailed(f"The mail server {server} refused the email ({exc.smtp_code} {_said(exc.smtp_error)}): "
                         "try again later, or choose another way.") from None
    except ssl.SSLError as exc:
        raise SendFailed(f"A secure connection to the mail server {server} could not be made ({exc.reason or exc}): "
                         "ask IT to check smtp_security and smtp_port.") from None
    except (smtplib.SMTPException, OSError) as exc:  # refused, unreachable, timed out, name not found, hung up
        reason = ("it did not answer in time" if isinstance(exc, (socket.timeout, TimeoutError))
                  else "no such host" if isinstance(exc, socket.gaierror)
                  else inert(getattr(exc, "strerror", None) or exc, limit=80) or type(exc).__name__)
        raise SendFailed(f"The mail server {server} cannot be reached ({reason}): try again later, or choose "
                         "another way; ask IT if it goes on.") from None
    return address


# --- one send -----------------------------------------------------------------------------------


def _destination(request: SendRequest) -> tuple[str, str]:
    """(shown to the person sending, kept in the audit trail) for a request."""
    if request.channel == "print":
        return request.printer or "", request.printer or ""
    if request.channel == "email":
        to = (request.email_to or "").strip()
        return to, mask_email(to)
    return ("this browser", "browser") if request.channel == "download" else ("a file", "file")


def send_document(ctx: ServiceContext, document: Document, request: SendRequest, *, web: bool,
                  download: Callable[[Document], None] | None = None) -> Sent:
    """Send ``document`` as asked, audited; SendFailed (the document kept) or InputError when it cannot go.

    ``web``: a browser session (download is open, save is not); ``download`` hands the PDF to that
    browser. Run in a worker thread: printing and email wait on other machines.
    """
    if ctx.actor is None:
        raise PermissionDenied("sign in first")
    channel = request.channel
    if channel not in CHANNELS:
        raise InputError(f"{channel!r} is not a way to send; choose print, email, download or save")
    if channel == "download" and not web:
        channel = "save"  # a terminal has no browser to download to
    if channel == "save" and web:
        channel = "download"  # never leave a browser user's document on the server
    request = SendRequest(channel, request.printer, request.email_to)
    if channel == "print" and not request.printer:
        raise InputError("Choose a printer.")
    if channel == "email":
        problem = _email_problem(ctx)
        if problem:
            raise SendFailed(problem)
        try:
            request = SendRequest(channel, None, clean_email(request.email_to or ""))
        except ValueError as exc:
            raise InputError(str(exc)[:1].upper() + str(exc)[1:] + ".") from None
    shown, kept_as = _destination(request)
    entity, entity_id = document.entity or "document", document.entity_id or document.name
    detail = {"kind": document.kind, "document": document.name, "channel": channel, "to": kept_as}
    with session_scope(ctx.engine, write=True) as session:  # no trail, nothing sent
        attempt_event = audit.record(session, ctx, "document.send", entity, entity_id, detail)
    attempt = attempt_event.id  # numbered as it committed
    try:
        paths: tuple[str, ...] = ()
        job = None
        if channel == "print":
            job = print_document(ctx, document, request.printer or "")
            message = f"{document.title or document.name} sent to printer {request.printer}" + (
                f" (job {job})" if job else "")
        elif channel == "email":
            email_document(ctx, document, request.email_to or "")
            message = f"{document.title or document.name} emailed to {request.email_to}"
        elif channel == "download":
            if download is None:
                raise SendFailed("This session has no browser to download to: choose another way.")
            download(document)
            message = f"{document.pdf_name} sent to this browser as a download"
        else:
            paths = tuple(str(p) for p in save_document(document))
            message = "Saved to print: " + " and ".join(paths)
    except DutyError as exc:
        _failed(ctx, document, attempt, entity, entity_id, detail, exc.message)
        if isinstance(exc, InputError):
            raise  # something typed to fix (an address the server refused): said beside the field
        kept: list[str] = []
        if channel in ("print", "email") and not web:
            try:
                kept = [str(p) for p in save_document(document)]
            except OSError:
                kept = []
        note = f" A copy is saved as {kept[-1]}." if kept else ""
        raise SendFailed(f"Not sent. {exc.message} {KEPT_HERE}{note}", kept) from None
    except OSError as exc:  # a file that could not be written
        reason = f"{exc.strerror or exc}"
        _failed(ctx, document, attempt, entity, entity_id, detail, reason)
        raise SendFailed(f"Not saved: {reason}. {KEPT_HERE}") from None
    try:
        remember(ctx, document.kind, channel, request.printer if channel == "print" else None)
    except DutyError:
        pass  # the document went; the desk's default is only a convenience
    return Sent(channel, shown, message, paths, job)


def _failed(ctx: ServiceContext, document: Document, attempt: int | None, entity: str, entity_id: str,
            detail: dict, reason: str) -> None:
    """Record that an attempt did not go (best effort: the person is told either way)."""
    try:
        with session_scope(ctx.engine, write=True) as session:
            audit.record(session, ctx, "document.send_failed", entity, entity_id,
                         {**detail, "attempt": attempt, "reason": inert(reason, limit=200)})
    except DutyError:
        pass


__all__ = ["CHANNELS", "CHANNEL_WORDS", "SendFailed", "SendOptions", "SendRequest", "Sent", "check_printer",
           "email_document", "print_document", "printer_queues", "remember", "remembered", "send_document",
           "send_options", "terminal_key"]
