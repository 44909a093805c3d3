"""data/income/law.toml: every period dated and sourced, the entry in force on the day chosen, a bad file named by line."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from duty_tui.areas.income.domain.arrears_input import parse_account
from duty_tui.areas.income.domain.law import assess_account
from duty_tui.areas.income.domain.law_table import RULES, LawNotHeld, add_months, load_law, load_law_file
from duty_tui.core.domain.errors import EnvironmentProblem

SHIPPED = Path(__file__).resolve().parents[3] / "data" / "income" / "law.toml"
D = date.fromisoformat


def test_the_shipped_table_holds_each_rule_with_a_date_and_a_source():
    law = load_law(SHIPPED.parent.parent)
    assert {rule for rule, _ in law.periods} == set(RULES)
    for entries in law.periods.values():
        assert all(entry.source and entry.effective_from for entry in entries)
    assert law.on("notice_minimum", "england", D("2026-01-01")).days == 28
    assert law.on("notice_lapse", "england", D("2026-01-01")).months == 12
    assert law.on("notice_lapse", "scotland", D("2026-01-01")).months == 6
    assert law.on("review_window", "england", D("2026-01-01")).days == 14
    assert [law.on(rule, "england", D("2026-01-01")).days
            for rule in ("hearing_not_before", "hearing_standard_by", "serve_before_hearing")] == [28, 56, 21]
    assert not law.holds("review_window", "scotland") and not law.holds("hearing_not_before", "scotland")


def _table(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "law.toml"
    path.write_text(body, encoding="utf-8")
    return path


BASE = """
[[period]]
rule = "notice_minimum"
jurisdiction = "england"
days = 28
effective_from = 2021-10-01
source = "Protection from Eviction Act 1977 s5(1)"
"""


def test_the_entry_in_force_on_the_service_date_is_used(tmp_path):
    # A made-up later period (two months from 2030), to show a council can add one without a release.
    law = load_law_file(_table(tmp_path, BASE + """
[[period]]
rule = "notice_minimum"
jurisdiction = "england"
months = 2
effective_from = 2030-01-01
source = "a test period"
"""))
    assert law.on("notice_minimum", "england", D("2029-12-31")).days == 28
    assert law.on("notice_minimum", "england", D("2030-01-01")).months == 2
    facts = {"as_of": "2030-01-01", "tenancy_type": "secure",
             "rent": {"amount_pence": 9500, "period": "weekly", "period_start": "2026-01-05"}}
    out = assess_account(parse_account(facts), law).as_json()
    # 1 Jan 2030 is a Tuesday; 2 months on is Friday 1 Mar: the Sunday that ends its week
    assert out["notice_if_served_today"] == {"earliest_proceedings": "2030-03-03"}
    with pytest.raises(LawNotHeld, match="holds England's notice_minimum only from 2021-10-01"):
        law.on("notice_minimum", "england", D("2021-09-30"))


@pytest.mark.parametrize(("body", "message"), [
    ("", "expected one or more [[period]] entries"),
    (BASE.replace("days = 28", "days = 28\nmonths = 1"), "give either days = N or months = N"),
    (BASE.replace("effective_from = 2021-10-01", 'effective_from = "2021-10-01"'), "give effective_from"),
    (BASE.replace('source = "Protection from Eviction Act 1977 s5(1)"', ""), "give source"),
    (BASE.replace("notice_minimum", "notice_minimu"), "is not one of"),
    (BASE.replace('"england"', '"wales"'), "jurisdiction must be england or scotland"),
    (BASE + BASE, "has two entries from 2021-10-01"),
    (BASE.replace("days = 28", "days = 28\ncolour = 1"), "unknown key 'colour'"),
])
def test_a_bad_table_is_named_by_file_and_line(tmp_path, body, message):
    path = _table(tmp_path, body)
    with pytest.raises(EnvironmentProblem) as caught:
        load_law_file(path)
    assert str(path) in caught.value.message and message in caught.value.message


def test_add_months_clamps_to_the_month_end():
    assert add_months(D("2026-08-31"), 6) == D("2027-02-28")
    assert add_months(D("2027-08-31"), 6) == D("2028-02-29")
    assert add_months(D("2026-11-15"), 12) == D("2027-11-15")
    assert add_months(D("2026-03-31"), -1) == D("2026-02-28")
    assert all(add_months(D("2026-01-31") + timedelta(days=n), 0) == D("2026-01-31") + timedelta(days=n)
               for n in range(60))
