"""`duty-tui triage assess FILE|-` against its contract (docs/CLI.md): output, order, exit 2."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from duty_tui.areas.housing_options.cli import render_assessments, triage
from duty_tui.areas.housing_options.domain.homelessness import (
    PRIORITY_NEED_GROUNDS,
    assess,
    assessment_to_json,
    parse_approach,
)

# The worked examples from shared/examples/triage, copied into the repo (tests/examples/triage) so a
# clean clone always runs them; the shared folder beside the repo wins when present (it is the source).
_SHARED_EXAMPLES = Path(__file__).resolve().parents[4] / "shared" / "examples" / "triage"
EXAMPLES = _SHARED_EXAMPLES if _SHARED_EXAMPLES.is_dir() else Path(__file__).resolve().parents[2] / "examples" / "triage"
needs_examples = pytest.mark.skipif(not EXAMPLES.is_dir(), reason=f"shared examples not found at {EXAMPLES}")

RELIEF = {"approach_date": "2026-03-09", "eligible": True, "rough_sleeping": True, "priority_need": ["vulnerable"]}
MAIN = {"approach_date": "2026-03-09", "as_of": "2026-05-04", "eligible": True, "homeless": True,
        "priority_need": ["dependent_children"], "intentional": False}
THREAT = {"approach_date": "2026-03-09", "eligible": True, "homeless": False, "s21_expiry": "2026-04-13"}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def root() -> typer.Typer:
    """A stand-in for duty_tui.core.cli: the sub-app registered as the root registers it."""
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """duty-tui"""

    app.add_typer(triage.app, name="triage")
    return app


def write(tmp_path: Path, document, name: str = "in.json") -> str:
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document), encoding="utf-8")
    return str(path)


def expected(obj: dict) -> dict:
    return assessment_to_json(assess(parse_approach(obj)))


def test_single_object(runner, root, tmp_path):
    result = runner.invoke(root, ["triage", "assess", write(tmp_path, RELIEF)])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    out = json.loads(result.stdout)
    assert out == expected(RELIEF)
    assert out["status"] == "homeless"
    assert [d["duty"] for d in out["duties"]] == ["advice", "assessment", "relief", "interim_accommodation"]
    assert out["outstanding"] == ["intentional"]


def test_output_is_indent_2_json(runner, tmp_path):
    result = runner.invoke(triage.app, ["assess", write(tmp_path, MAIN)])
    assert result.exit_code == 0
    assert result.stdout == json.dumps(expected(MAIN), indent=2) + "\n"


def test_array_keeps_order(runner, tmp_path):
    items = [MAIN, THREAT, RELIEF, {"approach_date": "2026-03-09", "eligible": False}]
    result = runner.invoke(triage.app, ["assess", write(tmp_path, items)])
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert [o["status"] for o in out] == ["homeless", "threatened", "homeless", "ineligible"]
    assert out == [expected(i) for i in items]
    assert result.stdout == json.dumps(out, indent=2) + "\n"


def test_empty_array(runner, tmp_path):
    result = runner.invoke(triage.app, ["assess", write(tmp_path, [])])
    assert result.exit_code == 0
    assert result.stdout == "[]\n"


def test_stdin(runner):
    result = runner.invoke(triage.app, ["assess", "-"], input=json.dumps(THREAT))
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == expected(THREAT)


def test_stdin_array_through_root(runner, root):
    result = runner.invoke(root, ["triage", "assess", "-"], input=json.dumps([THREAT, MAIN]))
    assert result.exit_code == 0
    assert json.loads(result.stdout) == [expected(THREAT), expected(MAIN)]


def test_utf8_bom_is_accepted(runner, tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(THREAT).encode())
    result = runner.invoke(triage.app, ["assess", str(path)])
    assert result.exit_code == 0


@needs_examples
def test_shared_examples_through_the_cli(runner, tmp_path):
    examples = [json.loads(p.read_text()) for p in sorted(EXAMPLES.glob("*.json"))]
    result = runner.invoke(triage.app, ["assess", write(tmp_path, [e["input"] for e in examples])])
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    for got, example in zip(out, examples, strict=True):
        got.pop("reasons")
        assert got == example["output"]


# --- exit 2: one line per problem on stderr, nothing on stdout ---------------------------


def test_problem_in_single_object(runner, tmp_path):
    bad = {"approach_date": "2026-03-09", "loss_date": "2026-03-01", "colour": "red"}
    result = runner.invoke(triage.app, ["assess", write(tmp_path, bad)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == ["loss_date: must be after approach_date", "colour: unknown key"]


def test_problems_in_array_carry_the_index(runner, tmp_path):
    items = [MAIN, {"approach_date": "2026-03-09"}, THREAT,
             {"approach_date": "2026-03-09", "loss_date": "2026-03-09"},
             {"approach_date": "2026-02-30", "priority_need": ["foo"]}, "not an object"]
    result = runner.invoke(triage.app, ["assess", write(tmp_path, items)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "[3] loss_date: must be after approach_date",
        "[4] approach_date: 2026-02-30 is not a real date",
        "[4] priority_need: unknown ground 'foo'",
        "[5] approach: must be a JSON object",
    ]


def test_unknown_keys(runner):
    result = runner.invoke(triage.app, ["assess", "-"],
                           input=json.dumps({"approach_date": "2026-03-09", "name": "A Khan", "Eligible": True}))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == ["name: unknown key", "Eligible: unknown key"]
    assert result.stdout == ""


def test_missing_approach_date(runner):
    result = runner.invoke(triage.app, ["assess", "-"], input="{}")
    assert result.exit_code == 2
    assert result.stderr.strip() == "approach_date: required"


@pytest.mark.parametrize("document", ["3", '"text"', "null", "true"])
def test_wrong_shape(runner, document):
    result = runner.invoke(triage.app, ["assess", "-"], input=document)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.strip() == "input: must be a JSON object or an array of objects"


@pytest.mark.parametrize("document", ["{", "", "[1,]", "{'approach_date': '2026-03-09'}", "NaN NaN"])
def test_bad_json(runner, document):
    result = runner.invoke(triage.app, ["assess", "-"], input=document)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("stdin: not valid JSON: ")
    assert len(result.stderr.splitlines()) == 1
    assert "Traceback" not in result.output


def test_deeply_nested_json(runner):
    result = runner.invoke(triage.app, ["assess", "-"], input="[" * 100_000 + "]" * 100_000)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Traceback" not in result.output


def test_missing_file(runner, tmp_path):
    missing = tmp_path / "nope.json"
    result = runner.invoke(triage.app, ["assess", str(missing)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.strip() == f"{missing}: cannot read it (No such file or directory)"


def test_directory_instead_of_file(runner, tmp_path):
    result = runner.invoke(triage.app, ["assess", str(tmp_path)])
    assert result.exit_code == 2
    assert "cannot read it" in result.stderr


def test_not_utf8(runner, tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"approach_date": "2026-03-09", "note": "\xa3"}')
    result = runner.invoke(triage.app, ["assess", str(path)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{path}: not UTF-8 text")


def test_missing_argument_is_a_usage_error(runner):
    result = runner.invoke(triage.app, ["assess"])
    assert result.exit_code == 2
    assert result.stdout == ""


def test_help(runner, root):
    result = runner.invoke(root, ["triage", "assess", "--help"])
    assert result.exit_code == 0
    assert "FILE|-" in result.stdout


# --- the fast writer is exactly json.dumps(indent=2) -----------------------------------------

dates = st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31))


@st.composite
def approaches(draw):
    start = draw(dates)
    obj = {"approach_date": start.isoformat(),
           "jurisdiction": draw(st.sampled_from(["england", "scotland"])),
           "eligible": draw(st.sampled_from([True, False, None])),
           "homeless": draw(st.sampled_from([True, False, None])),
           "rough_sleeping": draw(st.booleans()),
           "priority_need": draw(st.one_of(st.none(), st.lists(st.sampled_from(PRIORITY_NEED_GROUNDS), max_size=2))),
           "intentional": draw(st.sampled_from([True, False, None])),
           "local_connection": draw(st.sampled_from(["here", "elsewhere", "none", None]))}
    obj["as_of"] = (start + timedelta(days=draw(st.integers(0, 120)))).isoformat()
    return obj


@given(st.lists(approaches(), max_size=5))
@settings(max_examples=200, deadline=None)
def test_renderer_matches_json_dumps(items):
    results = [assess(parse_approach(i)) for i in items]
    assert render_assessments(results) == json.dumps([assessment_to_json(r) for r in results], indent=2)
    for r in results:
        assert render_assessments(r) == json.dumps(assessment_to_json(r), indent=2)
