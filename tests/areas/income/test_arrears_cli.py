"""`duty-tui arrears assess FILE|-` against docs/CLI.md: the shared worked examples, order, bad input (exit 2,
one line per problem), and that it never opens the database."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from duty_tui.core.cli import run

# The worked examples from shared/examples/arrears, copied into the repo (tests/examples/arrears) so a clean
# clone always runs them; the shared folder beside the repo wins when present (it is the source).
_SHARED = Path(__file__).resolve().parents[4] / "shared" / "examples" / "arrears"
EXAMPLES = _SHARED if _SHARED.is_dir() else Path(__file__).resolve().parents[2] / "examples" / "arrears"
UNUSABLE_DB = "postgresql+psycopg://nobody:secret@127.0.0.1:1/none"
"""Nothing listens on port 1: a command that tried to open this would exit 3."""
ACCOUNT = {"as_of": "2026-10-14", "tenancy_type": "secure", "balance_pence": 42750,
           "rent": {"amount_pence": 9500, "period": "weekly", "period_start": "2026-01-05"}}


def _cli(capsys, *args: str) -> tuple[int, str, str]:
    code = run(["--db", UNUSABLE_DB, *args])
    out, err = capsys.readouterr()
    return code, out, err


def _write(tmp_path: Path, document, name: str = "in.json") -> str:
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document), encoding="utf-8")
    return str(path)


def _examples() -> list[Path]:
    return sorted(EXAMPLES.glob("*.json"))


def test_both_examples_present():
    assert {p.stem for p in _examples()} >= {"secure-ready-for-court", "secure-weekly-notice"}


@pytest.mark.parametrize("path", _examples(), ids=lambda p: p.stem)
def test_shared_examples_give_their_expected_output(capsys, tmp_path, path):
    example = json.loads(path.read_text(encoding="utf-8"))
    code, out, err = _cli(capsys, "arrears", "assess", _write(tmp_path, example["input"]))
    assert code == 0 and err == ""
    got = json.loads(out)
    expected = example["output"]
    assert set(got) == set(expected)
    assert {k: v for k, v in got.items() if k != "reasons"} == {k: v for k, v in expected.items() if k != "reasons"}
    assert got["reasons"] and all(isinstance(line, str) and line for line in got["reasons"])


def test_runs_with_an_unusable_database_and_writes_indent_2_json(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("DUTY_DB_URL", UNUSABLE_DB)
    code, out, err = _cli(capsys, "arrears", "assess", _write(tmp_path, ACCOUNT))
    assert code == 0, err
    assert out == json.dumps(json.loads(out), indent=2, ensure_ascii=False) + "\n"
    assert json.loads(out)["weeks_in_arrears"] == 4.5


def test_array_answers_in_the_same_order_and_reads_stdin(capsys, monkeypatch):
    items = [ACCOUNT | {"balance_pence": 0}, ACCOUNT, ACCOUNT | {"balance_pence": 19000}]
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(json.dumps(items).encode())))
    code, out, _ = _cli(capsys, "arrears", "assess", "-")
    assert code == 0
    assert [each["arrears_pence"] for each in json.loads(out)] == [0, 42750, 19000]


def test_empty_array_is_an_empty_answer(capsys, tmp_path):
    code, out, _ = _cli(capsys, "arrears", "assess", _write(tmp_path, []))
    assert code == 0 and json.loads(out) == []


def test_every_problem_one_line_exit_2_nothing_on_stdout(capsys, tmp_path):
    bad = {"as_of": "2026-02-30", "tenancy_type": "secure", "jurisdiction": "england",
           "rent": {"amount_pence": "95", "period": "weekly", "period_start": "2026-01-05", "day": 1},
           "notice": {"served": "2026-10-14", "date_specified": "2026-10-01"},
           "protocol": ["contact_made", "s14a_debt_advice"], "benefit_claim_pending": "yes", "colour": "red"}
    code, out, err = _cli(capsys, "arrears", "assess", _write(tmp_path, bad))
    assert code == 2 and out == ""
    assert err.splitlines() == [
        "duty-tui: as_of: 2026-02-30 is not a real date",
        "duty-tui: rent.day: unknown key",
        "duty-tui: rent.amount_pence: must be a whole number of pence above 0, at most 1,000,000,000,000",
        "duty-tui: notice.date_specified: must not be before notice.served",
        "duty-tui: protocol: s14a_debt_advice is a step in Scotland, not England; England's are contact_made, "
        "statements_provided, payment_plan_offered, benefits_help_offered, vulnerability_considered, advice_signposted",
        "duty-tui: benefit_claim_pending: must be true or false",
        "duty-tui: colour: unknown key",
    ]


@pytest.mark.parametrize(("document", "line"), [
    ({"tenancy_type": "secure", "rent": ACCOUNT["rent"]}, "as_of: required"),
    (ACCOUNT | {"tenancy_type": "scottish_secure"},
     "tenancy_type: scottish_secure is a tenancy in Scotland, not England; England's are secure, flexible, "
     "introductory, assured, starter"),
    (ACCOUNT | {"jurisdiction": "wales"}, 'jurisdiction: must be "england" or "scotland" (Wales and Northern '
                                          "Ireland are not covered)"),
    (ACCOUNT | {"rent": None}, 'rent: required: {"amount_pence": N, "period": "weekly", "period_start": "YYYY-MM-DD"}'),
    (ACCOUNT | {"rent": ACCOUNT["rent"] | {"period": "daily"}},
     "rent.period: must be one of weekly, fortnightly, four_weekly, monthly"),
    (ACCOUNT | {"balance_pence": 12.5}, "balance_pence: must be a whole number of pence (negative when in credit), "
                                        "at most 1,000,000,000,000"),
    (ACCOUNT | {"notice": {"served": "14/10/2026", "date_specified": "2026-11-15"}},
     "notice.served: must be a date YYYY-MM-DD"),
    (ACCOUNT | {"review": {"requested": "2026-10-20", "decided": "2026-10-19"}},
     "review.decided: must not be before review.requested"),
    (ACCOUNT | {"claim": {"issued": "2027-03-01", "hearing": "2027-02-01"}},
     "claim.hearing: must not be before claim.issued"),
    (ACCOUNT | {"protocol": "contact_made"}, "protocol: must be a list of steps done"),
    (ACCOUNT | {"rent": {"amount_pence": 2, "period": "monthly", "period_start": "2026-01-01"}},
     "rent.amount_pence: 2p a month is less than half a penny a week; give the real rent"),
    (ACCOUNT | {"as_of": "9999-12-31"}, "as_of: 9999-12-31 is not a year between 1900 and 2200"),
    ("[1]", "[0] account: must be a JSON object"),
    ('"text"', "input: must be a JSON object or an array of objects"),
])
def test_bad_input_names_the_key_and_the_fix(capsys, tmp_path, document, line):
    code, out, err = _cli(capsys, "arrears", "assess", _write(tmp_path, document))
    assert (code, out) == (2, "")
    assert f"duty-tui: {line}" in err.splitlines()


def test_array_problems_are_prefixed_with_the_item(capsys, tmp_path):
    code, out, err = _cli(capsys, "arrears", "assess", _write(tmp_path, [ACCOUNT, ACCOUNT | {"as_of": None}]))
    assert (code, out) == (2, "")
    assert err.splitlines() == ["duty-tui: [1] as_of: required"]


def test_a_hostile_file_gets_at_most_100_lines_and_short_keys(capsys, tmp_path):
    many = ACCOUNT | {f"k{n}": 1 for n in range(150)} | {"x" * 5000: 1}
    code, _, err = _cli(capsys, "arrears", "assess", _write(tmp_path, [many]))
    lines = err.splitlines()
    assert code == 2 and len(lines) == 101 and lines[-1].startswith("duty-tui: … and 51 more problems")
    assert max(len(line) for line in lines) < 200


@pytest.mark.parametrize(("content", "fragment"), [
    ("{", "not valid JSON: Expecting property name enclosed in double quotes (line 1, column 2)"),
    (b"\xff\xfe", "not UTF-8 text"),
])
def test_unreadable_input_exit_2(capsys, tmp_path, content, fragment):
    path = tmp_path / "bad.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    code, out, err = _cli(capsys, "arrears", "assess", str(path))
    assert (code, out) == (2, "") and fragment in err and "Traceback" not in err


def test_missing_file_exit_2(capsys, tmp_path):
    code, _, err = _cli(capsys, "arrears", "assess", str(tmp_path / "nope.json"))
    assert code == 2 and "cannot read it" in err


def test_arrears_is_a_group_of_the_root(capsys):
    code, out, _ = _cli(capsys, "arrears", "--help")
    assert code == 0 and "assess" in out
