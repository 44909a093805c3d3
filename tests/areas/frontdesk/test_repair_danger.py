"""The words of a repair report propose a priority, from data/frontdesk/repair_priorities.toml [[danger]] (policy data)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from duty_tui.areas.frontdesk.domain.reference import load_frontdesk_reference
from duty_tui.areas.frontdesk.domain.repair_danger import DangerRule, propose_priority
from duty_tui.core.domain.errors import EnvironmentProblem

DATA = Path(__file__).resolve().parents[3] / "data"
DAY = date(2026, 3, 10)


@pytest.fixture(scope="module")
def rules() -> tuple[DangerRule, ...]:
    return load_frontdesk_reference(DATA).repair_danger


@pytest.mark.parametrize(("words", "priority", "rule"), [
    ("Water leaking through the light fitting", "emergency", "water near electrics"),
    ("kitchen: wet socket after the flood upstairs", "emergency", "water near electrics"),
    ("Strong smell of gas in the hall", "emergency", "gas"),
    ("Ceiling fell in the bedroom", "emergency", "structural danger"),
    ("No heating since Friday, two children", "urgent", "no heating or hot water"),
])
def test_danger_words_propose_the_priority(rules, words, priority, rule):
    proposal = propose_priority(words, rules, "england", DAY)
    assert proposal is not None and (proposal.priority, proposal.rule) == (priority, rule)


def test_ordinary_words_and_word_fragments_propose_nothing(rules):
    assert propose_priority("Dripping tap in the bathroom", rules, "england", DAY) is None
    assert propose_priority("The gasket on the fridge is split", rules, "england", DAY) is None  # not "gas"
    assert propose_priority("", rules, "england", DAY) is None


def test_scotland_uses_the_right_to_repair_priority(rules):
    assert propose_priority("No heating", rules, "scotland", DAY).priority == "rtr_1"


def test_every_rule_says_when_it_came_into_force_and_where_it_comes_from(rules):
    assert rules and all(r.effective_from and r.source for r in rules)
    assert propose_priority("smell of gas", rules, "england", min(r.effective_from for r in rules).replace(year=2000)) \
        is None  # not yet in force


def test_a_rule_without_its_date_or_source_is_refused_naming_it(tmp_path):
    for source in DATA.glob("*.toml"):
        (tmp_path / source.name).write_text(source.read_text())
    shutil.copytree(DATA / "frontdesk", tmp_path / "frontdesk")
    text = (DATA / "frontdesk" / "repair_priorities.toml").read_text()
    (tmp_path / "frontdesk" / "repair_priorities.toml").write_text(text.replace("effective_from = ", "# effective_from = ", 1))
    with pytest.raises(EnvironmentProblem, match="water near electrics.*effective_from"):
        load_frontdesk_reference(tmp_path)
