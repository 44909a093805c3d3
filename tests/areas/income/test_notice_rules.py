"""The notice rules without a database (docs/INCOME_NOTICES.md): the law engine's date for a notice (HA 1985
s83(5), HA 1996 s128(4), H(S)A 2001 s14(4)(b)) as a property, the letters, and data-file mistakes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from duty_tui.areas.income.domain.law import period_containing
from duty_tui.areas.income.domain.law_table import load_law
from duty_tui.areas.income.domain.notices import (
    PLACEHOLDERS,
    legal_dates,
    load_notice_rules,
    load_notice_rules_file,
    notice_state,
    render_letter,
    too_early,
)
from duty_tui.core.domain.errors import EnvironmentProblem

DATA = Path(__file__).resolve().parents[3] / "data"
RULES = load_notice_rules(DATA)
LAW = load_law(DATA)


@settings(max_examples=300, deadline=None)
@given(served=st.dates(date(2022, 3, 30), date(2035, 12, 31)), first_day=st.integers(0, 6),
       weekly=st.integers(1, 100_000), start_back=st.integers(0, 4000),
       tenancy_type=st.sampled_from(["secure", "flexible", "introductory", "scottish_secure"]),
       later=st.integers(-60, 400))
def test_property_s83_s128_s14_date_is_a_rent_period_boundary_at_least_28_days_after_service(
        served, first_day, weekly, start_back, tenancy_type, later):
    rules = replace(RULES, first_day=first_day)
    rent = rules.rent(weekly, served - timedelta(days=start_back))
    dates = legal_dates(LAW, tenancy_type, rent, served, None)
    earliest = dates.proceedings_from
    assert earliest == dates.earliest and too_early(dates) is None
    assert earliest >= served + timedelta(days=28)
    around = period_containing(rent, earliest)
    assert earliest in (around.start, around.end)
    assert earliest.weekday() in (first_day, (first_day - 1) % 7)  # the rent week's first or last day
    wanted = earliest + timedelta(days=later)
    problem = too_early(legal_dates(LAW, tenancy_type, rent, served, wanted))
    if wanted < earliest:
        assert problem is not None and problem.endswith(f"the earliest valid date is {earliest:%d/%m/%Y}")
    else:
        assert problem is None


def test_the_letters_use_only_known_placeholders_and_drop_their_source_notes():
    for kind in RULES.kinds:
        letter = render_letter(RULES.template(kind), {k: f"<{k}>" for k in PLACEHOLDERS})
        assert not letter.startswith("#") and "{" not in letter
        assert all(len(line) <= 88 for line in letter.splitlines())
    assert [k.code for k in RULES.kinds] == ["nosp", "s128", "s14"]
    assert RULES.kind_for("flexible").code == "nosp" and RULES.kind_for("assured") is None


def test_a_blank_lone_placeholder_leaves_no_line_and_stored_text_cannot_add_a_placeholder():
    text = render_letter("To:\n{tenants}\n{particulars}\nEnd", {"tenants": "A {office_name}\nB", "particulars": " "})
    assert text == "To:\nA {office_name}\nB\nEnd\n"


def test_a_notice_s_state_follows_its_dates():
    kwargs = {"proceedings_from": date(2026, 4, 12), "lapses_on": date(2027, 4, 12), "withdrawn_on": None,
              "review_outcome": None}
    assert notice_state(date(2026, 4, 11), **kwargs) == "not_yet_in_force"
    assert notice_state(date(2026, 4, 12), **kwargs) == "in_force"
    assert notice_state(date(2027, 4, 12), **kwargs) == "lapsed"
    assert notice_state(date(2026, 4, 12), **{**kwargs, "review_outcome": "overturned"}) == "withdrawn"


@pytest.mark.parametrize(("change", "message"), [
    (('period = "weekly"', 'period = "monthly"'), 'period: only "weekly"'),
    (('first_day = "monday"', 'first_day = "lundi"'), "first_day: one of monday"),
    (('tenancy_types = ["introductory"]', 'tenancy_types = ["secure"]'), "tenancy type secure has two kinds"),
    (('policy_step = "s14_notice"', 'policy_step = "s14_notice"\ncolour = "red"'), "unknown key 'colour'"),
    (('tenancy_types = ["scottish_secure"]', 'tenancy_types = ["scottish"]'), "unknown tenancy type 'scottish'"),
])
def test_notices_file_mistakes_name_the_file_and_line(tmp_path, change, message):
    source = (DATA / "income" / "notices.toml").read_text(encoding="utf-8")
    assert change[0] in source
    path = tmp_path / "notices.toml"
    path.write_text(source.replace(change[0], change[1], 1), encoding="utf-8")
    with pytest.raises(EnvironmentProblem, match=message) as caught:
        load_notice_rules_file(path, DATA / "income" / "letters")
    assert caught.value.message.startswith(f"{path}:")


def test_a_letter_with_an_unknown_placeholder_is_stopped_naming_its_line(tmp_path):
    (tmp_path / "nosp.txt").write_text("# note\n{office_name}\n\nDear {tenant},\n", encoding="utf-8")
    rules = replace(RULES, letters=tmp_path)
    with pytest.raises(EnvironmentProblem, match=r"nosp.txt:4: unknown placeholder \{tenant\}"):
        rules.template(rules.kind("nosp"))
