"""The lettings policy files (data/lettings/*.toml) load and are checked at start: each entry has
effective_from and source, and a mistake is refused naming the file and line."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from duty_tui.areas.lettings.domain.bedroom_need import Household, Member, bedrooms_needed, bedrooms_short
from duty_tui.areas.lettings.domain.reference import (
    in_force,
    load_all,
    load_bands,
    load_bedroom_standard,
    load_qualification,
    load_rank_rules,
    load_review_clocks,
)
from duty_tui.core.domain.errors import EnvironmentProblem

DATA = Path(__file__).resolve().parents[3] / "data"


def test_shipped_policy_files_load():
    load_all(DATA)
    assert [band.code for band in load_bands(DATA)] == ["A", "B", "C", "D"]
    assert {rule.code for rule in load_qualification(DATA)} >= {"residence", "income_cap", "savings_cap",
                                                                 "arrears_no_agreement"}
    assert all(rule.text and rule.source for rule in load_qualification(DATA))
    assert in_force(load_rank_rules(DATA), None).order == ("band", "band_date", "application_date", "ref")
    assert {clock.decision: clock.days for clock in load_review_clocks(DATA)}["band"] == 21


def test_default_bedroom_standard_is_the_size_criteria():
    rule = in_force(load_bedroom_standard(DATA), date(2026, 1, 1))
    assert (rule.adult_age, rule.any_sex_under, rule.overnight_carer_room, rule.cannot_share_room) == (16, 10, True, True)


def test_overcrowding_is_bedrooms_short_for_the_current_home():
    rule = in_force(load_bedroom_standard(DATA), None)
    family = Household((Member(35, "f"), Member(15, "m"), Member(13, "f"), Member(6, "m")))
    assert bedrooms_needed(family, rule) == 3
    assert bedrooms_short(3, 1) == 2 and bedrooms_short(3, 4) == 0


def folder(tmp_path: Path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(DATA / "lettings", copy / "lettings")
    return copy


@pytest.mark.parametrize("name, old, new, words", [
    ("bedroom_standard.toml", "source = ", "# source = ", "needs effective_from (a date) and source"),
    ("bedroom_standard.toml", "adult_age = 16", "adult_age = 40", "adult_age must be a whole number"),
    ("qualification.toml", 'code = "income_cap"', 'code = "residence"', "appear once"),
    ("qualification.toml", "cap_pence = 6000000", "cap_pence = -1", "figures cannot be negative"),
    ("bands.toml", 'categories = ["a", "b"]', 'categories = ["b"]', "no band gives reasonable preference category a"),
    ("bands.toml", 'categories = ["a", "b"]', 'categories = ["a", "z"]', "categories must be from"),
    ("rank.toml", '"ref"]', '"band"]', "order must list each of"),
    ("rank.toml", '"age", ', '"colour", ', "skip must list reasons"),
    ("reviews.toml", "days = 21", "days = 0", "days must be a whole number from 1"),
])
def test_a_mistake_in_a_policy_file_names_file_and_line(tmp_path, name, old, new, words):
    data = folder(tmp_path)
    path = data / "lettings" / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(EnvironmentProblem) as caught:
        load_all(data)
    assert f"{path}:" in str(caught.value) and words in str(caught.value)
    assert "fix it there" in str(caught.value)


def test_a_later_rule_takes_over_from_its_date(tmp_path):
    data = folder(tmp_path)
    path = data / "lettings" / "bedroom_standard.toml"
    path.write_text(path.read_text(encoding="utf-8") + '\n[[rule]]\neffective_from = 2030-04-01\nsource = "test"\n'
                    "adult_age = 18\nany_sex_under = 10\nmax_age = 120\n", encoding="utf-8")
    rules = load_bedroom_standard(data)
    assert in_force(rules, date(2030, 3, 31)).adult_age == 16
    assert in_force(rules, date(2030, 4, 1)).adult_age == 18


def _brute_force_fewest_rooms(children: list[Member], any_sex_under: int) -> int:
    """Every way of pairing the children, tried: the fewest rooms any allows (a reference for small n)."""
    if not children:
        return 0
    first, rest = children[0], children[1:]
    best = 1 + _brute_force_fewest_rooms(rest, any_sex_under)
    for index, other in enumerate(rest):
        if first.sex == other.sex or (first.age < any_sex_under and other.age < any_sex_under):
            best = min(best, 1 + _brute_force_fewest_rooms(rest[:index] + rest[index + 1:], any_sex_under))
    return best


def test_children_are_paired_into_the_fewest_bedrooms_whatever_their_order():
    """The size criteria's "fewest bedrooms these allow": checked against trying every pairing."""
    import random

    rule = in_force(load_bedroom_standard(DATA), None)
    draw = random.Random(16)
    for _ in range(400):
        children = [Member(draw.randrange(0, 16), draw.choice("fm")) for _ in range(draw.randrange(0, 8))]
        household = Household((Member(40, "f"), *children))
        assert bedrooms_needed(household, rule) == 1 + _brute_force_fewest_rooms(children, rule.any_sex_under), children


def test_a_large_household_is_answered_at_once():
    rule = in_force(load_bedroom_standard(DATA), None)
    children = tuple(Member(11 + i % 2, "f" if i % 2 else "m") for i in range(29))
    assert bedrooms_needed(Household((Member(40, "f"), *children)), rule) == 1 + 15
