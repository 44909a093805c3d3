"""The triage screen's assessment panel: the duties the answers establish on the day, what is still to
decide and why, in the words staff read (tui/approach.py paints it; this module builds the text only).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from rich.text import Text

from duty_tui.areas.housing_options.domain.homelessness import (
    assess,
    describe_duty,
    headline,
    owed_today,
    still_to_decide,
)
from duty_tui.areas.housing_options.domain.intake import IntakeCheck
from duty_tui.core.tui.text import plain

_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def uk_dates(text: str) -> str:
    """The engine's ISO dates written as staff read them (DD/MM/YYYY)."""
    return _ISO.sub(lambda m: f"{m.group(3)}/{m.group(2)}/{m.group(1)}", text)


def _d(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"


def assessment_text(check: IntakeCheck, today: date, *, stage: str | None, case_ref: str | None) -> Text:
    """The panel's text for the answers as checked: the headline, the duties owed today, what is still to
    decide, the answers to fix, the reasons, and the case's stage."""
    out = Text()
    if check.approach is None:
        out.append("Give the approach date to see the duties owed.\n", style="bold")
        if check.problems:
            out.append(plain(f"\n{len(check.problems)} answer(s) to fix (marked ✗)."))
        return out
    approach = check.approach
    as_of = max(today, approach.approach_date)
    approach = replace(approach, as_of=as_of)
    result = assess(approach)
    out.append(headline(approach, result) + "\n", style="bold reverse")
    out.append(plain(f"Duties owed on {_d(as_of)}:\n"))
    for duty in result.duties:
        line = uk_dates(describe_duty(duty, as_of))  # prevention past 56 days: until ended by notice
        style = "bold" if duty.duty in ("relief", "prevention", "main", "interim_accommodation",
                                        "temporary_accommodation", "settled_accommodation") else ""
        out.append(" • ")
        out.append(plain(line, style=style))
        out.append("\n")
    if all(d.duty == "advice" for d in result.duties) and result.status != "ineligible":
        # Only advice is listed: say why, and what follows (never "advice only" while eligibility is open).
        out.append(plain(f" ({uk_dates(owed_today(approach, result, as_of))})\n", style="italic"))
    if result.referral_possible:
        out.append(" ↪ local connection referral possible (s198)\n", style="bold")
    questions = still_to_decide(approach)  # the engine's outstanding facts, and a blank loss date
    if questions:
        out.append("\nStill to decide:\n", style="bold")
        for question, changes in questions:
            out.append(plain(f" ? {question} ", style="bold"))
            out.append(plain(uk_dates(changes)))
            out.append("\n")
    if check.problems:
        out.append(plain(f"\n✗ {len(check.problems)} answer(s) to fix before saving (marked on the left).\n",
                         style="bold"))
    out.append("\nWhy:\n", style="bold")
    for reason in result.reasons:
        out.append(plain(f" – {uk_dates(reason)}\n"))
    if stage and case_ref:
        out.append(plain(f"\nCase {case_ref} is at {stage.replace('_', ' ')}.", style="italic"))
    return out
