"""Letter templates for homelessness decisions and notices: {placeholder} substitution, checked.

Pure. Templates live in data/letters/ (a council edits them). A template may use only the
placeholders named here; the loader refuses a template with an unknown one, naming the file
and line, and rendering refuses a value that is missing, so a letter never goes out with a
gap or a stray "{...}".
"""

from __future__ import annotations

import re
import textwrap

from duty_tui.domain.validators import inert

PLACEHOLDERS: dict[str, str] = {
    "office_name": "the office's name",
    "date": "the date of the letter (e.g. 10 March 2026)",
    "applicant_name": "the applicant's name",
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


def render(template: str, values: dict[str, str]) -> str:
    """Fill the template. Raises KeyError naming a placeholder that has no value.

    Values are inserted through ``inert`` (an ESC, BEL or OSC 52 sequence in a stored name
    becomes a visible symbol: the letter as issued and stored holds no control) and never
    re-scanned for braces, so text typed by staff cannot inject a placeholder. A placeholder
    alone on its line whose value is blank removes the line, so optional paragraphs leave no hole.
    """
    out_lines: list[str] = []
    for line in template.splitlines():
        names = [m.group(1) for m in _PLACEHOLDER.finditer(line)]
        for name in names:
            if name not in values:
                raise KeyError(name)
        if len(names) == 1 and line.strip() == "{" + names[0] + "}" and not str(values[names[0]]).strip():
            continue
        out_lines.append(_PLACEHOLDER.sub(lambda m: inert(values[m.group(1)], limit=None), line))
    # Collapse runs of blank lines left by removed paragraphs.
    text = "\n".join(out_lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n") + "\n"


def bullet_lines(items: list[str], *, width: int = WIDTH) -> str:
    """Items as wrapped '- ' bullet lines (or '- none' when empty)."""
    if not items:
        return "- none"
    wrapped = []
    for item in items:
        wrapped.append(textwrap.fill(item, width=width, initial_indent="- ", subsequent_indent="  "))
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
