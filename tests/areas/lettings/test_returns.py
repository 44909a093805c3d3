"""Lettings measures (docs/LETTINGS_RETURNS.md), SQLite and PostgreSQL: re-let time in calendar days from
tenancy end to new start, the policy's exclusions, void rent loss from the rents area, lets by band and
route, and `report lettings` as CSV files."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from duty_tui.areas.lettings.domain.relet import Let, ReletRule, load_relet_rules, measure, relet_days, void_loss_for
from duty_tui.areas.lettings.services.returns import compute_measures, write_lettings_report
from duty_tui.core.config.settings import Settings
from duty_tui.core.domain.errors import EnvironmentProblem, InputError, PermissionDenied

from .returns_rows import FEB_FROM, FEB_TO, ctx_for, seed_lets

DATA = Settings().data_dir


def test_relet_time_counts_calendar_days_weekends_and_holidays_included():
    assert relet_days(date(2026, 3, 27), date(2026, 4, 6)) == 10  # over Easter: Good Friday, Easter Monday count
    assert relet_days(date(2026, 2, 1), date(2026, 2, 1)) == 0  # let the day the tenancy ended
    with pytest.raises(ValueError):
        relet_days(date(2026, 2, 2), date(2026, 2, 1))


def test_default_policy_excludes_first_lets_exchanges_successions_major_works_and_decants_with_its_source():
    from duty_tui.areas.lettings.domain.relet import rule_on

    rule = rule_on(load_relet_rules(DATA), date(2026, 2, 28))
    assert set(rule.excluded) == {"first_let", "mutual_exchange", "succession", "major_works", "decant"}
    assert rule.source.strip()


def test_exclusions_come_from_the_policy_not_the_code():
    lets = [Let(1, "PR1", "relet", date(2026, 2, 1), date(2026, 2, 11), "A", "choice_based_bid", "LA1"),
            Let(2, "PR2", "decant", date(2026, 2, 1), date(2026, 2, 21), None, "not_recorded", None)]
    strict = measure(FEB_FROM, FEB_TO, ReletRule(date(2024, 4, 1), "test", ("decant",)), lets, 0)
    none_excluded = measure(FEB_FROM, FEB_TO, ReletRule(date(2024, 4, 1), "test", ()), lets, 0)
    assert (strict.counted, strict.average_days) == ([10], 10.0)
    assert (none_excluded.counted, none_excluded.average_days) == ([10, 20], 15.0)
    assert strict.excluded_by_type == (("decant", 1),)


def test_an_unknown_void_type_in_the_policy_file_is_refused_naming_the_file(tmp_path: Path):
    (tmp_path / "lettings").mkdir()
    (tmp_path / "lettings" / "relet.toml").write_text(
        '[[rule]]\neffective_from = 2024-04-01\nsource = "x"\nexcluded = ["first_lets"]\n')
    with pytest.raises(EnvironmentProblem, match="relet.toml:4: excluded must be"):
        load_relet_rules(tmp_path)


def test_void_loss_of_a_let_is_the_weeks_its_void_touched():
    weeks = [(7, date(2026, 1, 19), 1), (7, date(2026, 1, 26), 10), (7, date(2026, 2, 9), 100),
             (7, date(2026, 2, 16), 1000), (8, date(2026, 2, 2), 5)]
    # ended Sat 31/01: the week of Mon 26/01 holds its first void days; let on 10/02: the week of 09/02 its last
    assert void_loss_for([(1, 7, date(2026, 1, 31), date(2026, 2, 10))], weeks) == {1: 110}


def test_measures_for_a_period_relet_times_band_route_and_void_loss(engine):
    seed_lets(engine)
    found = compute_measures(ctx_for(engine), FEB_FROM, FEB_TO)
    assert [(m.let.property_ref, m.let.void_type, m.let.days(), m.counted) for m in found.lets] == [
        ("PR000001", "relet", 10, True), ("PR000003", "first_let", 14, False),
        ("PR000002", "relet", 19, True), ("PR000001", "mutual_exchange", 1, False)]
    assert (found.average_days, found.median_days, found.longest_days) == (14.5, 14.5, 19)
    assert found.by_band == (("A", 1), ("B", 1), ("none", 2))
    assert found.by_route == (("choice_based_bid", 1), ("direct_match", 1), ("mutual_exchange", 1),
                              ("not_recorded", 1))
    assert [m.let.void_loss_pence for m in found.lets] == [9500, 0, 0, 300]
    assert found.period_void_loss_pence == 9300  # weeks starting 02/02, 09/02 and 23/02


def test_report_lettings_writes_its_csv_files_with_documented_columns(engine, tmp_path: Path):
    seed_lets(engine)
    found, files = write_lettings_report(ctx_for(engine), date_from=FEB_FROM, date_to=FEB_TO, out_dir=tmp_path / "out")
    assert sorted(p.name for p in files) == ["lets.csv", "lets_by_band.csv", "lets_by_route.csv", "summary.csv"]
    lets = list(csv.DictReader((tmp_path / "out" / "lets.csv").open()))
    assert [(r["property_ref"], r["relet_days"], r["counted"], r["band"], r["route"]) for r in lets] == [
        ("PR000001", "10", "yes", "B", "choice_based_bid"), ("PR000003", "14", "no", "", "not_recorded"),
        ("PR000002", "19", "yes", "A", "direct_match"), ("PR000001", "1", "no", "", "mutual_exchange")]
    summary = {r["measure"]: r["value"] for r in csv.DictReader((tmp_path / "out" / "summary.csv").open())}
    assert (summary["lets"], summary["lets_counted"], summary["average_relet_days"]) == ("4", "2", "14.5")
    assert (summary["excluded_first_let"], summary["void_loss_pence_period"]) == ("1", "9300")


def test_report_lettings_refuses_a_backwards_period_and_a_user_without_statistics(engine, tmp_path: Path):
    seed_lets(engine)
    with pytest.raises(InputError, match="--to is before --from"):
        write_lettings_report(ctx_for(engine), date_from=FEB_TO, date_to=FEB_FROM, out_dir=tmp_path / "a")
    with pytest.raises(PermissionDenied):
        compute_measures(ctx_for(engine, "reception"), FEB_FROM, FEB_TO)
    assert not (tmp_path / "a").exists()
