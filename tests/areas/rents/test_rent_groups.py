"""Rent groups (data/rents/rent_groups.toml, docs/RENTS_RECONCILIATION.md "Rent groups") and the
reconciliation's arithmetic — pure, no database — and grouping by property type on both databases."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from builders import NOW
from test_reconciliation import FROM, TO, _seed

from duty_tui.areas.rents.domain.recon import (
    NO_PROPERTY,
    Figure,
    GroupReconciliation,
    combine,
    explain_difference,
    load_rent_group_file,
    load_rent_groups,
)
from duty_tui.areas.rents.services.reconciliation import rent_reconciliation
from duty_tui.core.config.settings import DEFAULTS, Settings
from duty_tui.core.domain.errors import EnvironmentProblem
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import ServiceContext

BY_TYPE = '''
source = "test"

[[rule]]
effective_from = "2000-01-01"
group_by = "office"

[[rule]]
effective_from = "2026-03-01"
group_by = "property_type"
[rule.labels]
house = "Houses"
'''


def test_the_shipped_file_groups_by_office():
    rules = load_rent_groups(DEFAULTS["data_dir"])
    rule = rules.in_force(date(2026, 4, 6))
    assert rule.group_by == "office"
    assert rule.group_of("MAIN", "Main office", "flat", True) == ("MAIN", "Main office")
    assert rule.group_of(None, None, None, False)[0] == NO_PROPERTY


def test_the_rule_in_force_on_a_day_and_labels(tmp_path):
    path = tmp_path / "rent_groups.toml"
    path.write_text(BY_TYPE)
    rules = load_rent_group_file(path)
    assert rules.in_force(date(2026, 2, 28)).group_by == "office"
    by_type = rules.in_force(date(2026, 3, 1))
    assert by_type.group_of("MAIN", "Main", "house", True) == ("house", "Houses")
    assert by_type.group_of("MAIN", "Main", "flat", True) == ("flat", "Flat")


@pytest.mark.parametrize(("text", "needle"), [
    ('[[rule]]\neffective_from = "2026-13-01"\n', "effective_from must be a date"),
    ('[[rule]]\neffective_from = "2026-01-01"\ngroup_by = "ward"\n', "group_by must be one of office, property_type"),
    ('source = "x"\n', "expected one or more [[rule]] entries"),
])
def test_a_mistake_in_the_file_names_the_file_line_and_the_fix(tmp_path, text, needle):
    path = tmp_path / "rent_groups.toml"
    path.write_text(text)
    with pytest.raises(EnvironmentProblem) as caught:
        load_rent_group_file(path)
    assert needle in str(caught.value) and str(path) in str(caught.value) and "fix it there" in str(caught.value)


def test_the_identity_and_the_all_row_combine_figures_of_the_same_kind():
    a = GroupReconciliation("A", "A", 1000, 3, (Figure("charges", "rent_debit", None, 2, 500),
                                                Figure("payments", "payment", "cash", 1, -300)), 1200)
    b = GroupReconciliation("B", "B", -50, 1, (Figure("payments", "payment", "cash", 1, -100),), -150)
    assert (a.closing_pence, a.difference_pence, b.difference_pence) == (1200, 0, 0)
    both = combine("all", "All", (a, b))
    assert [(f.kind, f.rows, f.pence) for f in both.figures] == [("rent_debit", 2, 500), ("payment", 2, -400)]
    assert (both.opening_pence, both.closing_pence, both.kept_pence) == (950, 1050, 1050)
    assert explain_difference(both).startswith("none")
    off = GroupReconciliation("C", "C", 0, 0, (), 5)
    assert off.difference_pence == -5 and "--repair" in explain_difference(off)


def test_grouped_by_property_type_when_the_council_says_so(engine, tmp_path):
    _seed(engine)
    data = tmp_path / "data"
    shutil.copytree(Path(DEFAULTS["data_dir"]), data)
    (data / "rents" / "rent_groups.toml").write_text(BY_TYPE)
    ctx = ServiceContext.create(engine, Settings(db_url=str(engine.url), data_dir=data), terminal="t", clock=lambda: NOW)
    recon = rent_reconciliation(ctx.as_actor(find_actor(ctx, "income")), date_from=FROM, date_to=TO)
    assert recon.group_by == "property_type"
    # PR000001 and PR000003 are houses (RNT000001, RNT000003), PR000002 a flat (RNT000002)
    assert [(g.code, g.label, g.closing_pence) for g in recon.groups] == [
        ("flat", "Flat", -2000 - 9500 + 700), ("house", "Houses", 15250 + 11050 - 5000 - 1000 - 12500),
        (NO_PROPERTY, "No property (suspense, personal accounts)", 64000)]
    assert recon.total.closing_pence == 61000 and recon.total.difference_pence == 0
