"""The CORE lettings log (docs/LETTINGS_RETURNS.md), SQLite and PostgreSQL: one row per new general-needs
social letting in CORE's published bulk-upload field order, our answers where we hold them, and a
data-quality report of mandatory fields left blank (per letting, per field)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from duty_tui.areas.lettings.domain.core_log import age_on, load_core_mapping
from duty_tui.areas.lettings.services.core_log import write_core_log
from duty_tui.core.config.settings import Settings
from duty_tui.core.domain.errors import EnvironmentProblem, InputError

from .returns_rows import FEB_FROM, FEB_TO, ctx_for, seed_lets

DATA = Settings().data_dir


def test_the_mapping_is_in_cores_field_order_dated_and_sourced():
    mapping = load_core_mapping(DATA)
    assert mapping.header() == [f"field_{n}" for n in range(1, 135)]
    assert mapping.source and mapping.effective_from.year == 2023
    by_core = {f.core: f for f in mapping.fields}
    assert by_core["field_7"].question.startswith("What is the tenancy start date")
    assert by_core["field_32"].ours == "property.bedrooms" and by_core["field_32"].mandatory


def test_a_mapping_with_a_field_out_of_order_is_refused(tmp_path: Path):
    (tmp_path / "lettings").mkdir()
    (tmp_path / "lettings" / "core_log.toml").write_text(
        'effective_from = 2023-04-01\nsource = "x"\ntodo = "T"\n[[field]]\nnumber = 2\ncore = "field_2"\n'
        'question = "q"\nours = ""\nmandatory = false\n')
    with pytest.raises(EnvironmentProblem, match="number \\(in order from 1\\)"):
        load_core_mapping(tmp_path)


def test_age_is_whole_years_on_the_tenancy_start():
    from datetime import date

    assert age_on(date(1987, 6, 5), date(2026, 2, 10)) == 38
    assert age_on(date(1987, 2, 10), date(2026, 2, 10)) == 39


def test_core_log_rows_in_field_order_for_new_lettings_only(engine, tmp_path: Path):
    seed_lets(engine)
    log = write_core_log(ctx_for(engine), date_from=FEB_FROM, date_to=FEB_TO, out=tmp_path / "core.csv")
    rows = list(csv.reader((tmp_path / "core.csv").open()))
    assert rows[0] == [f"field_{n}" for n in range(1, 135)]
    # the mutual exchange is not a new letting; the first let is
    assert [row[12] for row in rows[1:]] == ["T00010", "T00012", "T00011"] and log.rows == 3
    first = dict(zip(rows[0], rows[1], strict=True))
    assert (first["field_7"], first["field_8"], first["field_9"]) == ("10", "2", "26")  # start 10/02/2026
    assert (first["field_33"], first["field_34"], first["field_35"]) == ("31", "1", "26")  # void date 31/01/2026
    assert (first["field_14"], first["field_23"], first["field_24"]) == ("PR000001", "SN1", "2AB")
    assert first["field_29"] == "7"  # a house: CORE's public unit-type code
    assert first["field_28"] == "1"  # offered once (refused) before this letting
    assert first["field_46"] == "38"  # the lead tenant's age on the start day
    assert first["field_128"] == "95.12"
    assert first["field_27"] == "relet"  # reason-for-vacancy codes still to complete: our own value is carried
    assert first["field_1"] == ""  # the council's organisation id is still to complete


def test_data_quality_report_lists_each_missing_mandatory_field_per_letting(engine, tmp_path: Path):
    seed_lets(engine)
    log = write_core_log(ctx_for(engine), date_from=FEB_FROM, date_to=FEB_TO, out=tmp_path / "core.csv")
    quality = list(csv.DictReader((tmp_path / "core.quality.csv").open()))
    mandatory = [f for f in log.mapping.fields if f.mandatory]
    by_letting: dict[str, set[str]] = {}
    for row in quality:
        by_letting.setdefault(row["tenancy_ref"], set()).add(row["core"])
    assert set(by_letting) == {"T00010", "T00011", "T00012"}
    assert {"field_1", "field_47", "field_48"} <= by_letting["T00010"]  # organisation to complete; not held
    assert "field_32" not in by_letting["T00010"] and "field_46" not in by_letting["T00010"]  # held and filled
    assert all(row["problem"].startswith("missing: ") for row in quality)
    assert dict(log.by_field())["field_1"] == 3
    assert len(quality) == len(log.problems) <= 3 * len(mandatory)
    assert "organisation.owning is still to complete in core_log.toml" in log.to_complete


def test_core_log_never_overwrites_a_file(engine, tmp_path: Path):
    seed_lets(engine)
    (tmp_path / "core.csv").write_text("kept")
    with pytest.raises(InputError, match="already exists"):
        write_core_log(ctx_for(engine), date_from=FEB_FROM, date_to=FEB_TO, out=tmp_path / "core.csv")
    assert (tmp_path / "core.csv").read_text() == "kept"
    assert not (tmp_path / "core.quality.csv").exists()
