"""`duty-tui lettings bedroom-need` and `duty-tui lettings rank` (docs/CLI.md): the shared examples
give their expected output, and each rule of the contract is named by a test."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from duty_tui.core.cli import run as cli_run

EXAMPLES = Path("/work/shared/examples/lettings")
_EXAMPLES_HERE = Path(__file__).parent / "examples"


@pytest.fixture
def runner(capsys):
    """The real command line (``duty_tui.core.cli.run``), its output captured."""
    return capsys


@pytest.fixture
def root() -> None:
    return None


def run(capsys, _root, tmp_path: Path, command: str, document) -> tuple[int, object, str]:
    path = tmp_path / "in.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    code = cli_run(["lettings", command, str(path)])
    captured = capsys.readouterr()
    out = json.loads(captured.out) if code == 0 else captured.out
    return code, out, captured.err


def example_files() -> list[Path]:
    return sorted(_EXAMPLES_HERE.glob("*.json"))


@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.name)
def test_every_shared_example_gives_its_expected_output(runner, root, tmp_path, path):
    example = json.loads(path.read_text(encoding="utf-8"))
    code, out, err = run(runner, root, tmp_path, path.stem, example["input"])
    assert code == 0, err
    assert out == example["output"]


def test_examples_here_match_the_shared_ones():
    """The examples are copied into the repo (the suite runs without /work/shared); keep them in step."""
    assert example_files(), "tests/areas/lettings/examples holds the contract's examples"
    if EXAMPLES.is_dir():
        for shared in sorted(EXAMPLES.glob("*.json")):
            here = _EXAMPLES_HERE / shared.name
            assert json.loads(here.read_text()) == json.loads(shared.read_text()), shared.name


def need(runner, root, tmp_path, household) -> int:
    code, out, err = run(runner, root, tmp_path, "bedroom-need", household)
    assert code == 0, err
    return out["bedrooms"]  # type: ignore[index]


def people(*pairs) -> list[dict]:
    return [{"age": age, "sex": sex} for age, sex in pairs]


def test_one_object_in_one_object_out(runner, root, tmp_path):
    assert need(runner, root, tmp_path, {"members": people((30, "f"))}) == 1


def test_couple_shares_one_bedroom(runner, root, tmp_path):
    assert need(runner, root, tmp_path, {"members": people((30, "f"), (31, "m")), "couples": [[0, 1]]}) == 1
    assert need(runner, root, tmp_path, {"members": people((30, "f"), (31, "m"))}) == 2


def test_each_other_person_16_or_over_has_a_bedroom(runner, root, tmp_path):
    assert need(runner, root, tmp_path, {"members": people((40, "f"), (16, "f"), (15, "f"))}) == 3
    assert need(runner, root, tmp_path, {"members": people((40, "f"), (15, "f"), (14, "f"))}) == 2


def test_two_children_of_the_same_sex_share(runner, root, tmp_path):
    assert need(runner, root, tmp_path, {"members": people((40, "f"), (15, "m"), (12, "m"))}) == 2


def test_two_children_under_10_share_whatever_their_sex(runner, root, tmp_path):
    assert need(runner, root, tmp_path, {"members": people((40, "f"), (9, "m"), (3, "f"))}) == 2
    assert need(runner, root, tmp_path, {"members": people((40, "f"), (10, "m"), (3, "f"))}) == 3


def test_fewest_bedrooms_pairing_is_found(runner, root, tmp_path):
    """Boy 12, girl 8, boy 5: pairing the boys leaves the girl alone (2 rooms) — as does the girl with
    the younger boy; either way two rooms for three children, never three."""
    assert need(runner, root, tmp_path, {"members": people((35, "f"), (12, "m"), (8, "f"), (5, "m"))}) == 3
    # Girl 14, boy 9, girl 4: girls share, boy alone (or boy with the younger girl): 2 children's rooms.
    assert need(runner, root, tmp_path, {"members": people((35, "f"), (14, "f"), (9, "m"), (4, "f"))}) == 3


def test_overnight_carer_adds_a_bedroom(runner, root, tmp_path):
    assert need(runner, root, tmp_path, {"members": people((70, "m")), "overnight_carer": True}) == 2


def test_child_who_cannot_share_has_a_bedroom(runner, root, tmp_path):
    household = {"members": people((40, "f"), (8, "m"), (6, "m"))}
    assert need(runner, root, tmp_path, household) == 2
    assert need(runner, root, tmp_path, {**household, "cannot_share": [1]}) == 3


def test_partner_who_cannot_share_has_a_bedroom(runner, root, tmp_path):
    assert need(runner, root, tmp_path, {"members": people((60, "f"), (62, "m")), "couples": [[0, 1]],
                                         "cannot_share": [1]}) == 2


@pytest.mark.parametrize("household, words", [
    ({"members": people((-1, "f"))}, "members[0].age: -1 is not a possible age"),
    ({"members": people((130, "f"))}, "members[0].age: 130 is not a possible age"),
    ({"members": [{"age": 3.5, "sex": "f"}]}, "members[0].age"),
    ({"members": people((30, "x"))}, 'members[0].sex: \'x\' must be "f" or "m"'),
    ({"members": []}, "members: must be a non-empty list"),
    ({"members": people((30, "f"), (12, "m")), "couples": [[0, 1]]}, "couples: member 1 is under 16"),
    ({"members": people((30, "f"), (31, "m")), "couples": [[0, 2]]}, "couples: index 2 is not a member"),
    ({"members": people((30, "f"), (31, "m"), (32, "f")), "couples": [[0, 1], [1, 2]]},
     "couples: a member can be in one couple only"),
    ({"members": people((30, "f")), "cannot_share": [5]}, "cannot_share: index 5 is not a member"),
    ({"members": people((30, "f")), "pets": 2}, "pets: not a known key"),
])
def test_impossible_households_are_refused_exit_2(runner, root, tmp_path, household, words):
    code, out, err = run(runner, root, tmp_path, "bedroom-need", household)
    assert code == 2 and out == "" and words in err
    assert "Traceback" not in err


def test_array_problems_name_the_item_and_print_nothing(runner, root, tmp_path):
    code, out, err = run(runner, root, tmp_path, "bedroom-need",
                         [{"members": people((30, "f"))}, {"members": people((30, "q"))}])
    assert code == 2 and out == "" and "[1] members[0].sex" in err


def test_stdin_dash_is_read(runner, monkeypatch):
    data = json.dumps({"members": people((30, "f"))}).encode()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    assert cli_run(["lettings", "bedroom-need", "-"]) == 0
    assert json.loads(runner.readouterr().out) == {"bedrooms": 1}


ADVERT = {"bedrooms": 2, "min_age": None, "accessible_only": False, "bands": ["A", "B", "C", "D"]}


def bid(ref, band="B", band_date="2025-01-01", application_date="2024-06-01", **over) -> dict:
    return {"ref": ref, "band": band, "band_date": band_date, "application_date": application_date,
            "bedroom_need": 2, "age": 40, "needs_accessible": False, "qualifies": True, **over}


def ranked(runner, root, tmp_path, advert, bids) -> dict:
    code, out, err = run(runner, root, tmp_path, "rank", {"advert": advert, "bids": bids})
    assert code == 0, err
    return out  # type: ignore[return-value]


def test_rank_by_band_then_band_date_then_application_date_then_ref(runner, root, tmp_path):
    bids = [bid("R5", band="C", band_date="2020-01-01", application_date="2019-01-01"),
            bid("R4", band_date="2025-02-01"), bid("R3", application_date="2024-07-01"),
            bid("R2"), bid("R1"), bid("R0", band="A", band_date="2026-01-01", application_date="2026-01-01")]
    assert ranked(runner, root, tmp_path, ADVERT, bids)["shortlist"] == ["R0", "R1", "R2", "R3", "R4", "R5"]


def test_bands_rank_in_the_adverts_order(runner, root, tmp_path):
    advert = {**ADVERT, "bands": ["C", "B", "A", "D"]}
    assert ranked(runner, root, tmp_path, advert, [bid("X", band="A"), bid("Y", band="C")])["shortlist"] == ["Y", "X"]


def test_skipped_in_input_order_with_the_first_reason_that_applies(runner, root, tmp_path):
    advert = {**ADVERT, "min_age": 55, "accessible_only": True}
    bids = [bid("S1", qualifies=False, bedroom_need=4, age=20),
            bid("S2", bedroom_need=4, age=20),
            bid("S3", age=20),
            bid("S4", age=60),
            bid("S5", age=60, needs_accessible=True)]
    assert ranked(runner, root, tmp_path, advert, bids) == {
        "shortlist": ["S5"],
        "skipped": [{"ref": "S1", "reason": "not_qualifying"}, {"ref": "S2", "reason": "bedroom_need"},
                    {"ref": "S3", "reason": "age"}, {"ref": "S4", "reason": "accessible_only"}]}


def test_bedroom_need_range_defaults_to_the_adverts_bedrooms(runner, root, tmp_path):
    bids = [bid("N1", bedroom_need=1), bid("N2"), bid("N3", bedroom_need=3)]
    assert ranked(runner, root, tmp_path, ADVERT, bids)["shortlist"] == ["N2"]
    wide = {**ADVERT, "bedroom_need": [1, 2]}
    assert ranked(runner, root, tmp_path, wide, bids)["shortlist"] == ["N1", "N2"]


def test_bands_default_to_the_schemes_bands(runner, root, tmp_path):
    advert = {"bedrooms": 2}
    assert ranked(runner, root, tmp_path, advert, [bid("D1", band="D"), bid("A1", band="A")])["shortlist"] == \
        ["A1", "D1"]


@pytest.mark.parametrize("document, words", [
    ({"advert": ADVERT, "bids": [bid("Z", band="Q")]}, "bids[0].band: 'Q' is not one of the advert's bands"),
    ({"advert": ADVERT, "bids": [bid("Z", band_date="2025-02-30")]}, "bids[0].band_date: 2025-02-30 is not a real date"),
    ({"advert": ADVERT, "bids": [bid("Z", band_date="2020-01-01")]}, "is before the application date"),
    ({"advert": ADVERT, "bids": [bid("Z"), bid("Z")]}, "ref 'Z' appears twice"),
    ({"advert": ADVERT, "bids": [bid("Z", qualifies="yes")]}, "bids[0].qualifies: must be true or false"),
    ({"advert": {**ADVERT, "bedroom_need": [3, 2]}, "bids": []}, "advert.bedroom_need: must be [MIN, MAX]"),
    ({"advert": ADVERT}, "bids: must be a list"),
    ([], "input: must be a JSON object"),
])
def test_bad_rank_input_is_refused_exit_2(runner, root, tmp_path, document, words):
    code, out, err = run(runner, root, tmp_path, "rank", document)
    assert code == 2 and out == "" and words in err
    assert "Traceback" not in err


def test_not_json_is_refused_exit_2(runner, root, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{nope", encoding="utf-8")
    assert cli_run(["lettings", "rank", str(path)]) == 2
    assert runner.readouterr().out == ""
