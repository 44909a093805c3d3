"""Hostile input, fuzzed (issue 6 item 7): validators, money, intake answers, the triage contract,
the payment-file importer, `person find` and the contact log never raise anything but their
documented error, every rejection says what to fix, and nothing hostile reaches the terminal.

DB-backed fuzzing runs on SQLite only (one database per test, shared by its examples); the exact
round trip on both databases is in test_hostile_roundtrip.py.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from datetime import date

import pytest
from builders import NOW, seed_office
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from duty_tui.areas.housing_options.domain.intake import check_answers, parse_form_date, parse_household
from duty_tui.core.cli import run
from duty_tui.core.domain.money import MAX_PENCE, parse_pounds
from duty_tui.core.domain.validators import (
    PLAIN_LIMIT,
    clean_ni_number,
    clean_phone,
    clean_postcode,
    clean_text,
    inert,
    parse_date,
    parse_date_of_birth,
    text_problem,
)
from duty_tui.core.tui.text import plain

TODAY = date(2026, 3, 10)

# The named nasties, then anything hypothesis can make (lone surrogates included).
NASTIES = [
    "\x1b[2J[bold red]Eve[/]", "[link=http://x]click[/link]", "[@click=app.quit]quit[/]", "[/]", "[bold]",
    "\x00", "a\x00b", "\x07\x08\x0b\x0c\x0d", "\x7f", "\x9b31m", "\x1b]0;pwned\x07", "\x1bP+q\x1b\\",
    "\u202eevE\u202c", "\u2066x\u2069", "Z\u0301\u0302\u0303\u0304\u0305\u0306\u0307\u0308\u0309\u030a" * 3,
    "\u200b\u200c\u200d\ufeff", "'; DROP TABLE person;--", "Robert'); DROP TABLE students;--", "%s %(x)s {0}",
    "\ud800", "x\udfffy", "\u2028\u2029", "=cmd|' /C calc'!A0", "+1+1", "@SUM(A1)", "-2+3", "٣٤", "１２",
    "9" * 5000, "x" * 100_000, "\n" * 50, " ",
]
ANY_CHAR = st.characters(exclude_categories=())  # surrogates too
HOSTILE = st.one_of(
    st.sampled_from(NASTIES),
    st.text(max_size=40),
    st.text(alphabet=ANY_CHAR, max_size=40),
    st.lists(st.sampled_from(NASTIES + ["SN1 2AB", "AB123456C", "07700 900123", "2026-03-09", "25.00"]),
             max_size=4).map("".join),
)
FUZZ = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
FUZZ_DB = settings(max_examples=8, deadline=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
_RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def assert_clear(message: str) -> None:
    """A rejection message: present, short, and nothing in it acts on a terminal."""
    assert message.strip(), "an empty message says nothing"
    assert len(message) < 400, f"a {len(message)}-character message buries what to fix"
    assert not _RAW_CONTROL.search(message), f"raw control character in {message!r}"


def ctx_as(engine, username: str):
    """A service context acting as a seeded user at the builders' NOW."""
    from duty_tui.core.config.settings import Settings
    from duty_tui.core.services.auth import find_actor
    from duty_tui.core.services.context import ServiceContext

    base = ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal="hostile", clock=lambda: NOW)
    return base.as_actor(find_actor(base, username))


# --------------------------------------------------------------------------- validators and money


@pytest.mark.parametrize("validator", [clean_postcode, clean_ni_number, clean_phone, parse_date,
                                       lambda t: parse_date_of_birth(t, TODAY)],
                         ids=["postcode", "ni_number", "phone", "date", "date_of_birth"])
@FUZZ
@given(value=HOSTILE)
def test_hostile_validators_only_raise_valueerror_saying_what_to_fix(validator, value):
    try:
        validator(value)
    except ValueError as exc:
        assert_clear(str(exc))


@FUZZ
@given(value=HOSTILE, limit=st.one_of(st.none(), st.integers(1, 10**12)))
@example(value="9" * 5000, limit=None)
@example(value="1" * 40, limit=None)
def test_hostile_money_parsing_never_overflows(value, limit):
    try:
        pence = parse_pounds(value, limit_pence=limit)
    except ValueError as exc:
        assert_clear(str(exc))
    else:
        assert 0 < pence <= MAX_PENCE and (limit is None or pence <= limit)


@FUZZ
@given(value=st.one_of(HOSTILE, st.none()), max_length=st.one_of(st.none(), st.integers(0, 200)))
def test_hostile_free_text_is_kept_exactly_or_refused_for_nul_and_surrogates(value, max_length):
    problem = text_problem("notes", value, max_length=max_length)
    try:
        kept = clean_text("notes", value, max_length=max_length)
    except ValueError as exc:
        assert str(exc) == problem
        assert_clear(problem)
        assert str(exc).startswith("notes ")
        unstorable = "\x00" in value or re.search("[\ud800-\udfff]", value)
        assert unstorable or (max_length is not None and len(value) > max_length)
    else:
        assert problem is None and kept == (value or "")  # stored exactly: no trimming, no escaping


def test_hostile_nul_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match=r"NUL character .* at character 4\), which cannot be stored"):
        clean_text("name", "Eve\x00")
    assert clean_text("name", "\x1b[2J[bold red]Eve[/]") == "\x1b[2J[bold red]Eve[/]"


@FUZZ
@given(value=st.one_of(HOSTILE, st.integers(), st.none()))
def test_hostile_inert_text_cannot_act_on_a_terminal(value):
    shown = inert(value)
    assert not _RAW_CONTROL.search(shown)
    shown.encode("utf-8")  # no lone surrogate: the terminal can be written to
    assert len(shown) <= PLAIN_LIMIT + 60
    # plain() wraps it with no style from the data: the markup in it is text.
    rendered = plain(value)
    assert rendered.plain == shown and not rendered.spans


def test_hostile_inert_shows_the_escape_and_markup_literally():
    assert inert("\x1b[2J[bold red]Eve[/]") == "\u241b[2J[bold red]Eve[/]"
    assert inert("\u202eevE") == "\ufffdevE"
    assert inert("a\tb\nc") == "a b\nc"
    assert inert("Nguyễn Thị Minh Khai") == "Nguyễn Thị Minh Khai"  # real combining text untouched
    assert inert("Z" + "\u0301" * 40) == "Z" + "\u0301" * 4
    long = inert("x" * 100_000)
    assert long.startswith("x" * PLAIN_LIMIT) and long.endswith("[90,000 more characters not shown]")


# --------------------------------------------------------------------------- approach intake

ANSWER_KEYS = ["approach_date", "eligible", "homeless", "intentional", "rough_sleeping", "nowhere_tonight",
               "domestic_abuse_risk_at_home", "loss_date", "s21_expiry", "relief_start", "priority_state",
               "priority_grounds", "local_connection", "household", "route", "referral_body", "referral_consent",
               "pregnant", "da_risk_in_connected_area"]
ANSWER_VALUES = st.one_of(HOSTILE, st.booleans(), st.none(), st.integers(), st.lists(HOSTILE, max_size=3))


@FUZZ
@given(value=st.one_of(HOSTILE, st.none()))
@example(value="child " + "9" * 5000)
def test_hostile_intake_fields_never_crash(value):
    try:
        parse_form_date(value)
    except ValueError as exc:
        assert_clear(str(exc))
    members, problem = parse_household(value)
    if problem:
        assert members == [] and len(problem) < 400


@FUZZ
@given(answers=st.dictionaries(st.sampled_from(ANSWER_KEYS), ANSWER_VALUES),
       born=st.one_of(st.none(), st.dates(date(1900, 1, 1), TODAY)))
def test_hostile_intake_answers_give_problems_not_exceptions(answers, born):
    check = check_answers(answers, today=TODAY, applicant_born=born)
    for message in check.problems.values():
        assert message.strip() and len(message) < 400


# --------------------------------------------------------------------------- triage contract

JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), HOSTILE),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(HOSTILE, inner, max_size=3)),
    max_leaves=6,
)
TRIAGE_KEYS = ["approach_date", "as_of", "jurisdiction", "eligible", "homeless", "rough_sleeping",
               "domestic_abuse_risk_at_home", "loss_date", "s21_expiry", "priority_need", "intentional",
               "local_connection", "da_risk_in_connected_area", "relief_start"]
APPROACHES = st.dictionaries(st.one_of(st.sampled_from(TRIAGE_KEYS), HOSTILE), JSON_VALUES, max_size=6).map(
    lambda d: {"approach_date": "2026-03-01", **d})


def _triage(capsys, data: bytes) -> tuple[int, str, str]:
    handle, path = tempfile.mkstemp(suffix=".json")
    try:
        with os.fdopen(handle, "wb") as f:
            f.write(data)
        code = run(["triage", "assess", path])
    finally:
        os.unlink(path)
    out, err = capsys.readouterr()
    return code, out, err


def _dump(document) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode("utf-8", "surrogatepass")


def assert_triage_contract(code: int, out: str, err: str) -> None:
    assert code in (0, 2), err
    assert "Traceback" not in err and "unexpected error" not in err
    if code == 2:
        assert out == "", "nothing on stdout when the input is refused"
        for line in err.splitlines():
            assert_clear(line)
    else:
        json.loads(out)


@settings(FUZZ, max_examples=15)
@given(document=st.one_of(APPROACHES, st.lists(APPROACHES, max_size=3), JSON_VALUES))
def test_hostile_triage_json_of_wrong_types_exits_2_with_a_line_per_problem(capsys, document):
    assert_triage_contract(*_triage(capsys, _dump(document)))


@settings(FUZZ, max_examples=12)
@given(data=st.one_of(st.binary(max_size=200), HOSTILE.map(lambda s: s.encode("utf-8", "surrogatepass")),
                      st.sampled_from([b"1" * 5000, b"[" * 100_000, b"\xef\xbb\xbf{}", '{"a": 1}'.encode("utf-16"),
                                       b'{"approach_date": "2026-03-01", "\\u001b[2J": 1}'])))
def test_hostile_triage_bytes_never_traceback(capsys, data):
    assert_triage_contract(*_triage(capsys, data))


def test_hostile_triage_key_with_escape_is_shown_inert(capsys):
    keys = {f"\x1b[2Jbad{i}\nline": 1 for i in range(150)}
    code, out, err = _triage(capsys, _dump({"approach_date": "2026-03-01", **keys}))
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert lines[0] == "\u241b[2Jbad0 line: unknown key"  # one line per problem, the ESC made visible
    assert len(lines) == 101 and lines[-1].startswith("… and 50 more problems")


# --------------------------------------------------------------------------- payment-file import

HEADER = "date,account_ref,amount,method,external_id"


def _ledger_count(engine) -> int:
    with engine.connect() as c:
        return int(c.execute(text("SELECT COUNT(*) FROM ledger_entry")).scalar())


def _import(capsys, url: str, data: bytes) -> tuple[int, str, str]:
    handle, path = tempfile.mkstemp(suffix=".csv")
    try:
        with os.fdopen(handle, "wb") as f:
            f.write(data)
        code = run(["--db", url, "payments", "import", path])
    finally:
        os.unlink(path)
    out, err = capsys.readouterr()
    return code, out, err


def assert_refused(code: int, out: str, err: str) -> None:
    assert code == 2, (code, err)
    assert "Traceback" not in err and out == ""
    lines = err.splitlines()
    assert lines and all(re.match(r"duty-tui: (line \d+: |… and )", line) for line in lines), err
    for line in lines:
        assert_clear(line)


GOOD_ROW = "2026-03-01,RNT000001,10.00,allpay,TX-{n}"
CELL = st.one_of(HOSTILE, st.sampled_from(["2026-03-01", "RNT000001", "10.00", "allpay", "TX1", ""]))


@FUZZ_DB
@given(data=st.one_of(
    st.binary(max_size=300),
    st.lists(st.lists(CELL, min_size=0, max_size=7), min_size=1, max_size=4).map(
        lambda rows: (HEADER + "\n" + "\n".join(",".join(json.dumps(c) if "," in c else c for c in r)
                                                for r in rows)).encode("utf-8", "surrogatepass")),
))
def test_hostile_payment_files_post_nothing_or_exit_2_with_line_messages(capsys, sqlite_engine, sqlite_url, data):
    if _ledger_count(sqlite_engine) == 0:
        seed_office(sqlite_engine)
    before = _ledger_count(sqlite_engine)
    code, out, err = _import(capsys, sqlite_url, data)
    if code == 0:  # a file hypothesis made valid by chance: posted, and said so
        assert out.startswith("posted ") and _ledger_count(sqlite_engine) > before
    else:
        assert_refused(code, out, err)
        assert _ledger_count(sqlite_engine) == before


HOSTILE_FILES = {
    "utf16": (HEADER + "\n" + GOOD_ROW.format(n=1)).encode("utf-16"),
    "utf16-no-bom": (HEADER + "\n" + GOOD_ROW.format(n=1)).encode("utf-16-le"),
    "latin1-pound": (HEADER + "\n" + "2026-03-01,RNT000001,£10.00,allpay,TX1").encode("latin-1"),
    "random-bytes": bytes(range(256)) * 4,
    "nul": (HEADER + "\n" + GOOD_ROW.format(n=1) + "\x00").encode(),
    "huge-line": (HEADER + "\n" + "2026-03-01,RNT000001,10.00,allpay," + "X" * 200_000).encode(),
    "huge-quoted-field": (HEADER + '\n"' + "a" * 200_000 + '",RNT000001,10.00,allpay,TX1').encode(),
    "missing-columns": b"date,amount\n2026-03-01,10.00\n",
    "short-row": (HEADER + "\n2026-03-01,RNT000001").encode(),
    "formula-external-id": (HEADER + "\n2026-03-01,RNT000001,10.00,allpay,=cmd|' /C calc'!A0").encode(),
    "formula-ref": (HEADER + "\n2026-03-01,@SUM(A1),10.00,allpay,TX1").encode(),
    "formula-amount": (HEADER + "\n2026-03-01,RNT000001,=1+1,allpay,TX1").encode(),
    "control-in-id": (HEADER + "\n2026-03-01,RNT000001,10.00,allpay,TX\x1b[2J1").encode(),
    "sql": (HEADER + "\n2026-03-01,'; DROP TABLE person;--,10.00,allpay,TX1\n2026-03-01,X,-5,allpay,TX2").encode(),
    "empty": b"",
    "header-only": HEADER.encode(),
    "huge-amount": (HEADER + "\n2026-03-01,RNT000001," + "9" * 5000 + ",allpay,TX1").encode(),
}


def test_hostile_payment_file_kinds_are_refused_by_line(capsys, sqlite_engine, sqlite_url):
    seed_office(sqlite_engine)
    before = _ledger_count(sqlite_engine)
    for name, data in HOSTILE_FILES.items():
        code, out, err = _import(capsys, sqlite_url, data)
        assert_refused(code, out, err)
        assert _ledger_count(sqlite_engine) == before, name
        if name.startswith("formula"):
            assert "line 2:" in err and ("formula" in err or "not an amount" in err), err
    assert "line 1: the file is UTF-16 text" in _import(capsys, sqlite_url, HOSTILE_FILES["utf16"])[2]
    assert "(a £ sign saved as Windows-1252/Latin-1?)" in _import(capsys, sqlite_url, HOSTILE_FILES["latin1-pound"])[2]


def test_hostile_payment_file_with_bom_and_extra_columns_imports(capsys, sqlite_engine, sqlite_url):
    seed_office(sqlite_engine)
    body = "\ufeffnote,date,account_ref,amount,method,external_id,\u202eextra\n" \
           "[bold red]x[/],2026-03-01,RNT000001,10.00,allpay,TX-BOM-1,\x1b[2J\n"
    code, out, err = _import(capsys, sqlite_url, body.encode("utf-8"))
    assert code == 0, err
    assert out.startswith("posted 1, skipped 0")


# --------------------------------------------------------------------------- person find


@FUZZ_DB
@given(query=HOSTILE)
@example(query="\x00")
@example(query="'; DROP TABLE person;--")
def test_hostile_person_find_queries(capsys, sqlite_engine, sqlite_url, query):
    # Lone surrogates (undecodable argv bytes) are a known defect: test_hostile_roundtrip.py, xfail.
    assume(not re.search("[\ud800-\udfff]", query))
    if _ledger_count(sqlite_engine) == 0:
        seed_office(sqlite_engine)
    code = run(["--db", sqlite_url, "person", "find", query, "--json", "--as", "reception"])
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "unexpected error" not in err
    if code == 0:
        assert isinstance(json.loads(out), list)
    else:
        assert code == 2 and out == ""
        for line in err.splitlines():
            assert_clear(line)
    with sqlite_engine.connect() as c:  # the SQL metacharacters were parameters, not SQL
        assert c.execute(text("SELECT COUNT(*) FROM person")).scalar() == 5


# --------------------------------------------------------------------------- the contact log


@FUZZ_DB
@given(notes=HOSTILE, forename=HOSTILE, surname=HOSTILE)
@example(notes="x" * 100_000, forename="\x1b[2J[bold red]Eve[/]", surname="\u202eSmith")
def test_hostile_contact_notes_and_names_are_stored_exactly_or_refused(sqlite_engine, notes, forename, surname):
    # NUL and lone surrogates cannot be stored: contacts.py does not refuse them yet (xfail in
    # test_hostile_roundtrip.py); everything else must be kept exactly.
    assume(all(text_problem("x", v) is None for v in (notes, forename, surname)))
    from sqlmodel import select

    from duty_tui.areas.frontdesk.services.contact_draft import ContactDraft, NewPerson
    from duty_tui.areas.frontdesk.services.contacts import log_contact
    from duty_tui.core.db.engine import session_scope
    from duty_tui.core.db.models import Contact, Person
    from duty_tui.core.domain.errors import InputError

    with sqlite_engine.connect() as c:
        if not c.execute(text("SELECT COUNT(*) FROM person")).scalar():
            seed_office(sqlite_engine)
    draft = ContactDraft(channel="phone", reasons=("general.other",), outcome="resolved", notes=notes,
                         new_person=NewPerson(forename, surname))
    try:
        saved = log_contact(ctx_as(sqlite_engine, "reception"), draft)
    except InputError as exc:
        for problem in exc.problems or [exc.message]:
            assert problem.strip() and len(problem) < 400
        return
    with session_scope(sqlite_engine) as s:
        contact = s.get(Contact, saved.contact_id)
        person = s.exec(select(Person).where(Person.id == contact.person_id)).one()
        assert (contact.notes or "") in (notes, notes.strip())  # exactly, but for surrounding whitespace
        assert (person.forename, person.surname) == (forename.strip(), surname.strip())
