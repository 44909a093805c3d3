"""Charges in (docs/RENTS_IMPORT.md; issue 15 item 8): `duty-tui rent import-charges` checks the whole
file first, refuses it with line-numbered problems and writes nothing, applies it by the history rule,
and a re-import changes nothing. SQLite and PostgreSQL via the usual fixtures."""

from __future__ import annotations

import json
from datetime import date

import pytest
from builders import NOW, seed_office
from sqlalchemy import select

from duty_tui.areas.rents.domain.charges import weekly_equivalent
from duty_tui.areas.rents.services.charge_import import import_charges
from duty_tui.areas.rents.services.charges import CHARGE, current_charges, seed_basic_rent
from duty_tui.areas.rents.services.debit import run_debit
from duty_tui.core.cli import run
from duty_tui.core.config.settings import Settings
from duty_tui.core.domain.errors import InputError
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import ServiceContext

HEADER = "property_ref,tenancy_ref,charge_code,amount,frequency,effective_from,effective_to,reason\n"
GOOD = (HEADER + "PR000001,,basic_rent,115.50,weekly,2026-04-06,,rent review 2026\n"
        "PR000001,,service_charge,8.00,weekly,2026-04-06,,new cleaning contract\n"
        ",T00002,tv_licence,13.75,monthly,2026-04-06,,asked for by the tenant\n")


def ctx_for(engine) -> ServiceContext:
    ctx = ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal="t", clock=lambda: NOW)
    return ctx.as_actor(find_actor(ctx, "leader"))


def _charge_rows(engine) -> list:
    with engine.connect() as c:
        return [tuple(r) for r in c.execute(select(CHARGE.c.charge_code, CHARGE.c.amount_pence,
                                                   CHARGE.c.effective_from, CHARGE.c.effective_to).order_by(CHARGE.c.id))]


def _seeded(engine) -> ServiceContext:
    seed_office(engine)
    ctx = ctx_for(engine)
    seed_basic_rent(ctx, date(2026, 3, 2))
    return ctx


def test_import_ends_the_current_charge_the_day_before_and_a_reimport_changes_nothing(engine):
    ctx = _seeded(engine)
    summary = import_charges(ctx, GOOD, file_name="charges.csv")
    assert summary.as_json() == {"lines": 3, "started": 3, "unchanged": 0, "ended": 1, "dry_run": False}
    rows = _charge_rows(engine)
    assert ("basic_rent", 11050, date(2026, 3, 2), date(2026, 4, 5)) in rows
    shown = current_charges(ctx, "T00002", date(2026, 4, 6))
    assert [line.code for line in shown.lines] == ["basic_rent", "tv_licence"]
    assert shown.weekly_total_pence == 9500 + weekly_equivalent(1375, "monthly") == 9500 + 317
    before = _charge_rows(engine)
    again = import_charges(ctx, GOOD)
    assert again.as_json() == {"lines": 3, "started": 0, "unchanged": 3, "ended": 0, "dry_run": False}
    assert _charge_rows(engine) == before


def test_a_bad_file_is_refused_whole_with_line_numbers_and_nothing_written(engine):
    ctx = _seeded(engine)
    before = _charge_rows(engine)
    bad = (HEADER + "PR999999,,basic_rent,100.00,weekly,2026-04-06,,x\n"
           ",T00001,basic_rent,100.00,weekly,2026-04-06,,per property only\n"
           "PR000002,,heating,ten,weekly,2026-04-06,,x\n"
           "PR000002,,cleaning,1.00,weekly,2026-04-06,2026-04-01,ends first\n"
           "PR000003,,water,5.00,weekly,2026-04-06,,one\n"
           "PR000003,,water,6.00,weekly,2026-05-04,,two\n"
           "PR000001,,garage,5.00,weekly,2026-04-06,,garage is per tenancy\n"
           "PR000001,,nonsense,5.00,weekly,2026-04-06,,x\n")
    with pytest.raises(InputError) as refused:
        import_charges(ctx, bad)
    problems = "\n".join(refused.value.problems)
    for expected in ("line 2: no property with ref 'PR999999'", "line 3: basic_rent is a charge per property",
                     "line 4: amount:", "line 5: the charge ends (01/04/2026) before it starts",
                     "line 7: water for PR000003 overlaps line 6", "line 8: garage is a charge per tenancy",
                     "line 9: unknown charge code 'nonsense'"):
        assert expected in problems
    assert _charge_rows(engine) == before


def test_a_charge_from_a_week_already_posted_is_refused_saying_why(engine):
    ctx = _seeded(engine)
    run_debit(ctx, date(2026, 3, 10))
    with pytest.raises(InputError) as refused:
        import_charges(ctx, HEADER + "PR000001,,basic_rent,120.00,weekly,2026-03-09,,late\n")
    assert "already posted the week of 09/03/2026" in "\n".join(refused.value.problems)
    assert "would not match" in "\n".join(refused.value.problems)


def test_twenty_thousand_lines_with_one_bad_line_are_refused_and_nothing_written(engine):
    ctx = _seeded(engine)
    lines = [f"PR000001,,basic_rent,{100 + n % 50}.00,weekly,{date.fromordinal(date(2026, 4, 6).toordinal() + 7 * n)},"
             f"{date.fromordinal(date(2026, 4, 6).toordinal() + 7 * n + 6)},week {n}\n" for n in range(20_000)]
    lines[12_345] = lines[12_345].replace("weekly", "yearly")
    before = _charge_rows(engine)
    with pytest.raises(InputError) as refused:
        import_charges(ctx, HEADER + "".join(lines))
    assert "line 12347: frequency 'yearly'" in "\n".join(refused.value.problems)
    assert _charge_rows(engine) == before


def test_cli_dry_run_json_and_refusal_exit_2(engine, db_url, capsys, tmp_path):
    _seeded(engine)
    good = tmp_path / "charges.csv"
    good.write_text(GOOD, encoding="utf-8")
    assert run(["--db", db_url, "rent", "import-charges", str(good), "--dry-run", "--json", "--as", "leader"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["started"] == 3 and "dry run: nothing written" in err
    assert len(_charge_rows(engine)) == 3
    assert run(["--db", db_url, "rent", "import-charges", str(good), "--as", "leader"]) == 0
    assert "3 lines read: started 3 charges, ended 1, 0 unchanged" in capsys.readouterr().err
    assert run(["--db", db_url, "rent", "import-charges", str(good), "--as", "leader"]) == 0
    assert "already imported: nothing changed" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "PR000001,,basic_rent,1.00,weekly,2026-04-06,2026-01-01,x\n", encoding="utf-8")
    assert run(["--db", db_url, "rent", "import-charges", str(bad), "--json", "--as", "leader"]) == 2
    out, err = capsys.readouterr()
    assert any("line 2: the charge ends" in p for p in json.loads(out)["problems"]) and "line 2" in err
    assert run(["--db", db_url, "rent", "import-charges", str(good), "--as", "income"]) == 2
