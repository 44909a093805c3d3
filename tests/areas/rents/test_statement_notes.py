"""The 53rd week explained on statements (docs/RENTS_DEBIT.md, "The 53rd week on statements"): a rent
account's statement over a 53-week rent year (2030/31) carries the data file's note with its source — UC
pays monthly ×12, housing benefit each charged week — through the rents hook ``statement.rent_year_notes``;
a 52-week year (2026/27) carries none; a build without the rents area carries none."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from builders import NOW, seed_office

from duty_tui.areas import AREAS
from duty_tui.areas.payments.services.printing import statement_lines
from duty_tui.areas.payments.services.statements import account_statement
from duty_tui.areas.rents.domain.statement_notes import rent_year_notes, years_covered
from duty_tui.core import registry
from duty_tui.core.config.settings import Settings
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import ServiceContext

DATA = Path(__file__).resolve().parents[3] / "data"


def ctx_for(engine) -> ServiceContext:
    ctx = ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal="test-terminal", clock=lambda: NOW)
    return ctx.as_actor(find_actor(ctx, "leader"))


def test_the_53_week_note_is_given_only_for_periods_touching_a_53_week_rent_year():
    assert [y.weeks for y in years_covered(DATA, date(2026, 4, 6), date(2027, 4, 4))] == [52]
    assert rent_year_notes(DATA, date(2026, 4, 6), date(2027, 4, 4)) == []  # 2026/27: 52 weeks
    (note,) = rent_year_notes(DATA, date(2030, 5, 1), date(2030, 5, 31))  # 2030/31 begins Mon 1 April 2030
    assert note.startswith("Rent year 2030/31 has 53 rent weeks")
    assert "Universal Credit" in note and "12 times a year" in note and "Housing benefit pays for each week" in note
    assert "(Source: Universal Credit Regulations 2013" in note
    both = rent_year_notes(DATA, date(2024, 12, 1), date(2031, 4, 30))  # 2024/25 and 2030/31
    assert [n[:18] for n in both] == ["Rent year 2024/25 ", "Rent year 2030/31 "]


@pytest.mark.sqlite_only
def test_a_rent_statement_over_2030_31_carries_the_note_and_one_over_2026_27_does_not(engine):
    seed_office(engine)
    ctx = ctx_for(engine)
    long_year = account_statement(ctx, "RNT000001", date(2030, 4, 1), date(2030, 6, 30))
    assert len(long_year.notes) == 1 and "53 rent weeks" in long_year.notes[0]
    text = "\n".join(statement_lines(long_year))
    assert "Rent year 2030/31 has 53 rent weeks" in text and "Housing benefit pays" in text
    assert account_statement(ctx, "RNT000001", date(2026, 4, 6), date(2027, 4, 4)).notes == ()


@pytest.mark.sqlite_only
def test_a_build_without_rents_puts_no_note_on_the_statement(engine):
    seed_office(engine)
    ctx = ctx_for(engine)
    registry.use([each for each in AREAS if each.name != "rents"])
    try:
        assert registry.hook("statement.rent_year_notes") is None
        assert account_statement(ctx, "RNT000001", date(2030, 4, 1), date(2030, 6, 30)).notes == ()
    finally:
        registry.use(None)
