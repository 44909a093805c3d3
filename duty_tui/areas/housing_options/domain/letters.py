"""Letter templates for homelessness decisions and notices: {placeholder} substitution, checked.

Pure. Templates live in data/housing_options/letters/ (a council edits them). A template may use only the
placeholders named here; the loader refuses a template with an unknown one, naming the file
and line, and rendering refuses a value that is missing, so a letter never goes out with a
gap or a stray "{...}".
"""

from __future__ import annotations

import re
import textwrap

from duty_tui.core.domain.validators import inert

PLACEHOLDERS: dict[str, str] = {
    "office_name": "the office's name",
    "date": "the date of the letter (e.g. 10 March 2026)",
    "applicant_name": "the applicant's name",
    "applicant_address": "the applicant's postal address, a line each (or where the letter can be collected)",
    "case_ref": "the case reference",
    "approach_date": "the date of the application",
    "decision": "the decision in words (status and what is owed)",
    "duties": "the duties owed, one per line with their dates",
    "reasons": "the reasons, one per line, each naming its section",
    "outstanding": "what inquiries continue on (blank when none)",
    "interim": "the interim accommodation paragraph (blank when not owed)",
    "duty_start": "when the duty named in the letter began",
    "duty_until": "when the duty's 56 days run to",
    "ended_duty": "the duty that ended (e.g. 'relief duty (section 189B(2))')",
    "ended_on": "when it ended",
    "end_reason": "why it ended",
    "applicant_steps": "the steps the applicant agreed to take",
    "council_steps": "the steps the council will take",
    "plan_review_on": "the date the plan will be reviewed",
    "review_last_day": "the last day to ask for a review (21 days beginning with notification)",
    "review_weeks": "the weeks the council has to decide a review",
    "officer_name": "the officer issuing the letter",
    "authorised_by": "the second officer who authorised a s193B notice",
    "warning_date": "the date of the s193B(5) warning",
    "act_by": "the date by which the applicant should make contact after a warning",
}

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
WIDTH = 88


def unknown_placeholders(template: str) -> list[tuple[int, str]]:
    """(line number, name) of each placeholder the template uses that is not in PLACEHOLDERS."""
    found = []
    for number, line in enumerate(template.splitlines(), start=1):
        for match in _PLACEHOLDER.finditer(line):
            if match.group(1) not in PLACEHOLDERS:
                found.append((number, match.group(1)))
    return found


def used_placeholders(template: str) -> set[str]:
    """The placeholder names a template uses."""
    return {m.group(1) for m in _PLACEHOLDER.finditer(template)}


PROSE_MIN = 60
"""A template paragraph whose first line is at least this long is prose: refilled after substitution."""


_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_KEEP_TOGETHER = re.compile(rf"\b(?:(?:[Ss]ections?|Part|s\.) \d|\d{{1,2}} (?:{_MONTHS}) \d{{4}}|"
                            rf"\d{{1,2}} (?:{_MONTHS})\b|(?:{_MONTHS}) \d{{4}})")
_GLUE = "\x00"


def _fill(text: str, width: int, **kwargs) -> list[str]:
    """textwrap.wrap that never breaks a date ('30 March 2026') or 'section 184' across two lines."""
    glued = _KEEP_TOGETHER.sub(lambda m: m.group(0).replace(" ", _GLUE), text)
    return [line.replace(_GLUE, " ") for line in textwrap.wrap(glued, width=width, break_long_words=False,
                                                               break_on_hyphens=False, **kwargs)]


def _is_prose(lines: list[str]) -> bool:
    """True for a paragraph of running text (not an address block, a heading, a list or a lone placeholder)."""
    if any(line.lstrip().startswith("- ") for line in lines):
        return False
    if any(re.fullmatch(r"\s*\{[A-Za-z_][A-Za-z0-9_]*\}\s*", line) for line in lines):
        return False
    return len(lines[0]) >= PROSE_MIN if len(lines) > 1 else True


def render(template: str, values: dict[str, str], *, width: int = WIDTH) -> str:
    """Fill the template. Raises KeyError naming a placeholder that has no value.

    Values are inserted through ``inert`` (an ESC, BEL or OSC 52 sequence in a stored name
    becomes a visible symbol: the letter as issued and stored holds no control) and never
    re-scanned for braces, so text typed by staff cannot inject a placeholder. A placeholder
    alone on its line whose value is blank removes the line, so optional paragraphs leave no hole.
    Paragraphs of running text are filled again to ``width`` once the values are in, so a long
    name or date never leaves a ragged line (address blocks, headings and lists keep their lines).
    """
    out: list[str] = []
    paragraph: list[str] = []

    def flush() -> None:
        if not paragraph:
            return
        filled: list[str] = []
        for line in paragraph:
            names = [m.group(1) for m in _PLACEHOLDER.finditer(line)]
            for name in names:
                if name not in values:
                    raise KeyError(name)
            if len(names) == 1 and line.strip() == "{" + names[0] + "}" and not str(values[names[0]]).strip():
                continue
            filled.append(_PLACEHOLDER.sub(lambda m: inert(values[m.group(1)], limit=None), line))
        if filled and _is_prose(paragraph) and not any("\n" in line for line in filled):
            filled = _fill(" ".join(line.strip() for line in filled), width) or [""]
        out.extend(filled)
        out.append("")
        paragraph.clear()

    for line in template.splitlines():
        if line.strip():
            paragraph.append(line)
        else:
            flush()
    flush()
    # Collapse runs of blank lines left by removed paragraphs.
    text = "\n".join(out)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n") + "\n"


def bullet_lines(items: list[str], *, width: int = WIDTH) -> str:
    """Items as wrapped '- ' bullet lines (or '- none' when empty)."""
    if not items:
        return "- none"
    wrapped = []
    for item in items:
        wrapped.extend(_fill(item, width, initial_indent="- ", subsequent_indent="  "))
    return "\n".join(wrapped)


def long_date(d) -> str:
    """'10 March 2026' - the way dates are written in letters."""
    return f"{d.day} {d:%B %Y}"


_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def readable_dates(text: str) -> str:
    """ISO dates in engine text written as letters write them ('2026-03-10' -> '10 March 2026')."""
    from datetime import date

    def one(match: re.Match) -> str:
        try:
            return long_date(date(int(match.group(1)), int(match.group(2)), int(match.group(3))))
        except ValueError:
            return match.group(0)
    return _ISO.sub(one, text)


# --- the applicant's words ---------------------------------------------------------------------
# The engine's lines are written for staff ("s185: eligibility is not yet decided, so no duty that
# needs it ... is listed yet"; "intentional: if not intentional: ..."). A letter goes to the applicant:
# these turn the same facts into plain sentences that name the Act's sections in full.

LETTER_DUTY_WORDS = {
    "advice": "Advice: free advice and information about homelessness and how to prevent it",
    "assessment": "Assessment: a look at your circumstances and a personalised housing plan",
    "prevention": "Prevention duty: help to keep your home or to find another one",
    "relief": "Relief duty: help to find somewhere to live",
    "interim_accommodation": "Interim accommodation: somewhere to stay while we make our decision",
    "main": "Main housing duty: suitable accommodation for you and your household",
    "intentional_accommodation": "Accommodation for a reasonable period, with advice and help",
    "temporary_accommodation": "Temporary accommodation while we make our decision",
    "settled_accommodation": "Settled (permanent) accommodation",
}

LETTER_QUESTIONS = {
    "eligible": "whether you are eligible for help with housing (section 185)",
    "homeless": "whether you are homeless now (section 175)",
    "priority_need": "whether you have a priority need for accommodation (section 189)",
    "intentional": "whether you became homeless intentionally (section 191)",
}
LETTER_LOSS_DATE_QUESTION = "when you may lose your home (section 175(4) and (5))"

_INTERNAL = ("is listed yet", "what follows relief is not yet known")
"""Engine lines about the engine itself, not the applicant's case: left out of letters."""
_SECTION = re.compile(r"\bs(\d+[A-Z]*(?:\(\w+\))*)")


def section_words(section: str) -> str:
    """'s195' -> 'section 195'; '2001 Act s2' -> 'section 2 of the Housing (Scotland) Act 2001'."""
    act = re.match(r"^(\d{4}) Act s(\S+)$", section)
    if act:
        name = "Housing (Scotland) Act" if act.group(1) in ("1987", "2001") else "Act"
        return f"section {act.group(2)} of the {name} {act.group(1)}"
    return _SECTION.sub(r"section \1", section)


def letter_duty_line(duty, as_of=None) -> str:
    """One duty as the applicant reads it, with its section and dates (prevention: until notice)."""
    words = LETTER_DUTY_WORDS.get(duty.duty, duty.duty.replace("_", " "))
    text = f"{words} ({section_words(duty.section)}), from {long_date(duty.start)}"
    if duty.duty == "prevention" and duty.until is not None:
        if as_of is not None and as_of >= duty.until:
            return (f"{text}. Its first 56 days ended on {long_date(duty.until)}; it continues until we tell "
                    "you in writing that it has ended (section 195(8))")
        return (f"{text}, for at least 56 days (to {long_date(duty.until)}); it ends only when we tell you in "
                "writing")
    if duty.until is not None:
        text += f" to {long_date(duty.until)}"
    return text


def letter_reasons(reasons) -> list[str]:
    """The engine's reasons as sentences for the applicant: sections in full, dates in words, no notes-to-self."""
    out = []
    for line in reasons:
        if any(marker in line for marker in _INTERNAL):
            continue
        line = line.replace(" — ask before deciding", "")
        scottish = re.match(r"^1987 Act s(\S+?): ", line)
        if scottish:
            line = f"Section {scottish.group(1)} of the Housing (Scotland) Act 1987: " + line[scottish.end():]
        line = re.sub(r"^Housing \(Scotland\) Act 2001 s(\S+?): ", r"Section \1 of the Housing (Scotland) Act 2001: ",
                      line)
        line = _SECTION.sub(r"section \1", line)
        line = readable_dates(line)
        out.append(line[:1].upper() + line[1:])
    return out


def letter_outstanding(outstanding, *, loss_date_unknown: bool = False) -> list[str]:
    """What is still being looked into, in the applicant's words (never 'intentional: if not intentional: …')."""
    lines = [LETTER_QUESTIONS.get(fact, fact.replace("_", " ")) for fact in outstanding]
    if loss_date_unknown:
        lines.append(LETTER_LOSS_DATE_QUESTION)
    return [line[:1].upper() + line[1:] for line in lines]


def address_block(lines, *, collect_from: str) -> str:
    """The postal address, a line each; with none, where the letter waits to be collected (s184(6))."""
    kept = [line.strip() for line in lines if line and line.strip()]
    if kept:
        return "\n".join(kept)
    return f"To be collected from {collect_from}\n(no postal address recorded: Housing Act 1996 s184(6))"
