"""Homelessness duties: which statutory duties are owed on a date, and what a decision waits on.

England: Housing Act 1996 Part 7 as amended by the Homelessness Reduction Act 2017
(and the Domestic Abuse Act 2021). Scotland: Housing (Scotland) Act 1987 Part II as
amended by the Housing (Scotland) Act 2001 and the Homelessness etc. (Scotland) Act 2003.
The rules follow docs/CLI.md "duty-tui triage assess" ("How the facts combine") and
DOMAIN.md; where the law leaves a choice the comment beside the rule says which was made.

Pure: no database, no Textual, no clock. The date to assess at is part of the approach.
The input (the Approach and `parse_approach`) is in approach_input.py, re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from duty_tui.areas.housing_options.domain.approach_input import (  # noqa: F401  (re-exported: the engine's input)
    INPUT_KEYS,
    JURISDICTIONS,
    LOCAL_CONNECTIONS,
    PRIORITY_NEED_GROUNDS,
    Approach,
    ApproachInputError,
    parse_approach,
)

# s175(4) (threatened within 56 days) and s189B(7)(b)/s195(8)(b) (56 days of relief/prevention).
DAYS_56 = timedelta(days=56)
# 1987 Act s24(4): threatened if likely to become homeless within two months.
# The Housing (Scotland) Act 2025 s52(2)(b) will make this six months when commenced
# (prospective at the time of writing); docs/CLI.md says two, so two it is.
SCOTTISH_THREAT_MONTHS = 2

STATUSES = ("ineligible", "homeless", "threatened", "not_threatened", "undetermined")
# The facts a decision can wait on, in the order `outstanding` lists them.
OUTSTANDING_FACTS = ("eligible", "homeless", "priority_need", "intentional")

# Scottish section labels. All are Housing (Scotland) Act 1987 sections except advice:
#   advice                     Housing (Scotland) Act 2001 s2 (free advice and information
#                              about homelessness for anyone) - labelled "2001 Act s2".
#   prevention                 1987 Act s32(2): threatened - take reasonable steps so that
#                              accommodation does not cease to be available.
#   temporary_accommodation    1987 Act s29: interim duty while inquiries run (since the 2001
#                              Act, reason to believe homeless is enough; no priority need).
#   settled_accommodation      1987 Act s31(2): "permanent" accommodation for the
#                              unintentionally homeless (priority need test abolished
#                              31 Dec 2012, Homelessness (Abolition of Priority Need Test)
#                              (Scotland) Order 2012).
#   intentional_accommodation  1987 Act s31(3): accommodation for a reasonable period plus
#                              advice and assistance "in any other case".
# Unsure: s32(2) strictly covers only the unintentionally threatened (s32(3) gives the
# intentionally threatened advice only); the contract gives prevention to every eligible,
# threatened applicant, so the engine does too.
_SCOTLAND_ADVICE_SECTION = "2001 Act s2"

# Phrases for `what_would_change` and the TUI: what each duty means to staff.
DUTY_WORDS = {
    "advice": "advice",
    "assessment": "assessment and personalised housing plan",
    "prevention": "prevention duty",
    "relief": "relief duty",
    "interim_accommodation": "interim accommodation",
    "main": "main housing duty",
    "intentional_accommodation": "accommodation for a reasonable period",
    "temporary_accommodation": "temporary accommodation",
    "settled_accommodation": "settled accommodation",
}


@dataclass(frozen=True, slots=True)
class Duty:
    """One duty owed: its name, the section that imposes it, and when it runs."""

    duty: str
    section: str
    start: date
    until: date | None = None


@dataclass(frozen=True, slots=True)
class Assessment:
    """What is owed on the assessment date, what is still unknown, and why."""

    status: str
    duties: tuple[Duty, ...]
    outstanding: tuple[str, ...]
    referral_possible: bool
    reasons: tuple[str, ...]

    def owes(self, duty: str) -> bool:
        """True when the named duty is listed."""
        return any(d.duty == duty for d in self.duties)


# --- assessing --------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """Calendar months later, clamped to the month's end (31 Dec + 2 months = 28/29 Feb)."""
    month0 = day.month - 1 + months
    year = day.year + month0 // 12
    month = month0 % 12 + 1
    if month == 12:
        last = 31
    else:
        last = (date(year, month + 1, 1) - date(year, month, 1)).days
    return date(year, month, min(day.day, last))


def _grounds_text(grounds: tuple[str, ...]) -> str:
    return ", ".join(g.replace("_", " ") for g in grounds)


def assess(approach: Approach) -> Assessment:
    """The duties owed on `approach.as_of`, the status, the facts outstanding and the reasons."""
    if approach.jurisdiction == "scotland":
        return _assess_scotland(approach)
    if approach.jurisdiction != "england":
        raise ApproachInputError(['jurisdiction: must be "england" or "scotland"'])
    return _assess_england(approach)


def _status(a: Approach, homeless: bool, limit: date, window: str, reasons: list[str],
            threat_sections: tuple[str, str, str], homeless_section: str) -> str:
    """Shared status rule; `limit` is the last day a loss still counts as threatened."""
    if a.eligible is False:
        return "ineligible"
    if homeless:
        return "homeless"
    loss_sec, s21_sec, notice = threat_sections
    if a.loss_date is not None and a.loss_date <= limit:
        reasons.append(
            f"{loss_sec}: the home will probably be lost on {a.loss_date}, within {window} "
            f"of the approach (by {limit}), so threatened with homelessness"
        )
        return "threatened"
    # A valid s21 notice counts even when it has already expired (docs/CLI.md "may be
    # past"): the tenant is still there and possession is still coming.
    if a.s21_expiry is not None and a.s21_expiry <= limit:
        reasons.append(
            f"{s21_sec}: a valid {notice} expires on {a.s21_expiry}, on or before "
            f"{limit}, so threatened with homelessness"
        )
        return "threatened"
    if a.homeless is False:
        if a.loss_date is None and a.s21_expiry is None:
            # A blank date is not yet known, never "no loss expected": the status is the contract's
            # not_threatened on what is recorded, but the words (and the screens) say what is missing.
            reasons.append(
                f"{loss_sec}: not homeless now; when the home may be lost is not yet known (neither a loss "
                f"date nor a notice is recorded), so not shown to be threatened within {window} (by {limit}) — "
                "ask before deciding"
            )
        else:
            reasons.append(
                f"{homeless_section}: not homeless, and the home is not expected to be lost within {window} "
                f"of the approach (by {limit}), so not threatened with homelessness yet"
            )
        return "not_threatened"
    # homeless unknown, and either no dates or dates further off than the window: a date
    # further off does not show the applicant is not homeless now (their home may not be
    # reasonable to occupy), so the question stays open.
    reasons.append(
        f"{homeless_section}: whether the applicant is homeless now is not yet known; "
        "inquiries continue"
    )
    return "undetermined"


def _assess_england(a: Approach) -> Assessment:
    approach_date = a.approach_date
    as_of = a.as_of or approach_date
    reasons: list[str] = []
    duties: list[Duty] = [Duty("advice", "s179", approach_date, None)]

    grounds = a.priority_need
    if a.domestic_abuse_risk_at_home:
        # s189(1)(e) (Domestic Abuse Act 2021 s78): homeless as a result of domestic abuse.
        grounds = tuple(g for g in PRIORITY_NEED_GROUNDS if g == "domestic_abuse" or (grounds and g in grounds))
    homeless = a.homeless is True or a.rough_sleeping or a.domestic_abuse_risk_at_home

    if a.eligible is False:
        reasons.append(
            "s185: not eligible for assistance, so no duty beyond advice (s179) is owed, "
            "whatever else is true"
        )
        reasons.append(f"s179: advice and information about homelessness is owed to anyone, from {approach_date}")
        return Assessment("ineligible", tuple(duties), (), False, tuple(reasons))

    if a.rough_sleeping:
        reasons.append("s175(1): sleeping rough, so homeless")
    if a.domestic_abuse_risk_at_home:
        reasons.append(
            "s177(1): staying at home would probably lead to domestic abuse, so the home is not "
            "reasonable to occupy: homeless, and in priority need (s189(1)(e))"
        )
    elif a.homeless is True and not a.rough_sleeping:
        reasons.append("s175(1): no accommodation available and reasonable to occupy, so homeless")

    limit = approach_date + DAYS_56
    status = _status(a, homeless, limit, "56 days", reasons, ("s175(4)", "s175(5)", "section 21 notice"), "s175")
    outstanding: list[str] = []
    referral = False
    eligible = a.eligible is True
    if a.eligible is None and status in ("homeless", "threatened"):
        outstanding.append("eligible")
        reasons.append(
            "s185: eligibility is not yet decided, so no duty that needs it (assessment, "
            "prevention, relief, main) is listed yet"
        )

    if status == "homeless":
        # Relief runs from when it began: the approach, or an earlier relief_start.
        start = a.relief_start if a.relief_start is not None and a.relief_start < approach_date else approach_date
        relief_until = start + DAYS_56
        relief_running = as_of < relief_until
        has_ground = bool(grounds)
        if eligible and relief_running:
            # s189A: assessment (and plan) for every eligible applicant homeless or threatened.
            duties.append(Duty("assessment", "s189A", start, None))
            duties.append(Duty("relief", "s189B", start, relief_until))
            reasons.append(
                "s189A: eligible and homeless, so an assessment and personalised housing plan, "
                "kept under review while relief runs"
            )
            reasons.append(
                f"s189B: eligible and homeless, so the relief duty runs 56 days from {start} "
                f"to {relief_until}"
            )
        elif eligible:
            reasons.append(f"s189B: the relief duty ran 56 days from {start} and ended on {relief_until}")
        # s188(1): interim accommodation on reason to believe (homeless, eligible, priority
        # need) - eligibility need not be settled. s188(1ZA)(b): it lasts until the main
        # duty decision is notified, so after relief it continues while that decision cannot
        # be made (intentionality, or eligibility, still unknown).
        interim = has_ground and (relief_running or a.eligible is None or a.intentional is None)
        if interim:
            duties.append(Duty("interim_accommodation", "s188", start, None))
            reasons.append(
                f"s188: reason to believe homeless, eligible and in priority need "
                f"({_grounds_text(grounds)}), so interim accommodation now, until the main "
                "duty decision"
            )
        if eligible and not relief_running:
            if has_ground and a.intentional is False:
                duties.append(Duty("main", "s193", relief_until, None))
                reasons.append(
                    f"s193(2): in priority need and not intentionally homeless, so the main "
                    f"housing duty runs from {relief_until}, when relief ended"
                )
            elif has_ground and a.intentional is True:
                duties.append(Duty("intentional_accommodation", "s190(2)", relief_until, None))
                reasons.append(
                    f"s190(2): in priority need but intentionally homeless, so accommodation for "
                    f"a reasonable period, with advice and assistance, from {relief_until}"
                )
            elif has_ground:
                reasons.append(
                    "s191: intentionality is not yet decided, so the main duty decision waits; "
                    "interim accommodation continues (s188(1ZA))"
                )
            elif grounds == ():
                reasons.append(
                    "s189: not in priority need, so no accommodation duty follows relief; "
                    "advice only (s190(3), s179)"
                )
            else:
                reasons.append(
                    "s189: priority need is not yet decided, so what follows relief is not yet known"
                )
        if grounds is None:
            outstanding.append("priority_need")
        if a.intentional is None and has_ground:
            outstanding.append("intentional")
        # s198(A1): a local connection referral is possible only while the relief duty is
        # owed, when there is no connection here but one elsewhere, and never into domestic
        # abuse (s198(2)(c), (2A)).
        if eligible and relief_running and a.local_connection == "elsewhere":
            if a.da_risk_in_connected_area:
                reasons.append(
                    "s198(2)(c): at risk of domestic abuse in the area of connection, so no "
                    "local connection referral"
                )
            else:
                referral = True
                reasons.append(
                    "s198(A1): no local connection here but one elsewhere, so a referral to that "
                    "authority is possible during relief"
                )
    elif status == "threatened":
        if eligible:
            until = approach_date + DAYS_56
            duties.append(Duty("assessment", "s189A", approach_date, None))
            duties.append(Duty("prevention", "s195", approach_date, until))
            reasons.append(
                "s189A: eligible and threatened, so an assessment and personalised housing plan, "
                "kept under review while prevention runs"
            )
            if as_of < until:
                reasons.append(
                    f"s195: eligible and threatened, so the prevention duty runs from "
                    f"{approach_date} for at least 56 days (to {until}), ending only by notice"
                )
            else:
                reasons.append(
                    f"s195: eligible and threatened; the 56 days ran to {until}, but the "
                    "prevention duty ends only by written notice (s195(5)), so it stays owed"
                )
        # s188 is for the homeless only: nothing to accommodate someone merely threatened.
    elif status == "undetermined":
        outstanding.append("homeless")
        reasons.append("s184: inquiries into whether the applicant is homeless or threatened continue")

    reasons.append(f"s179: advice and information about homelessness is owed to anyone, from {approach_date}")
    return Assessment(status, tuple(duties), tuple(outstanding), referral, tuple(reasons))


def _assess_scotland(a: Approach) -> Assessment:
    approach_date = a.approach_date
    reasons: list[str] = []
    duties: list[Duty] = [Duty("advice", _SCOTLAND_ADVICE_SECTION, approach_date, None)]
    # 1987 Act s24(3)(b): not reasonable to occupy where occupying it will probably lead to
    # abuse. Priority need is abolished, so the domestic_abuse ground adds nothing here.
    homeless = a.homeless is True or a.rough_sleeping or a.domestic_abuse_risk_at_home

    if a.eligible is False:
        reasons.append(
            "1987 Act s28: not eligible for assistance, so no duty beyond advice "
            "(Housing (Scotland) Act 2001 s2) is owed, whatever else is true"
        )
        return Assessment("ineligible", tuple(duties), (), False, tuple(reasons))

    if a.rough_sleeping:
        reasons.append("1987 Act s24(1): sleeping rough, so homeless")
    if a.domestic_abuse_risk_at_home:
        reasons.append(
            "1987 Act s24(3)(b): staying at home would probably lead to abuse, so the home is "
            "not reasonable to occupy: homeless"
        )
    elif a.homeless is True and not a.rough_sleeping:
        reasons.append("1987 Act s24(1): no accommodation reasonable to occupy, so homeless")

    limit = add_months(approach_date, SCOTTISH_THREAT_MONTHS)
    # Section 21 notices are English (Housing Act 1988); in Scotland the contract's
    # s21_expiry is read as the expiry of the notice ending the tenancy (e.g. a notice to
    # leave) and, like a loss date, threatens within the two months of s24(4).
    status = _status(
        a, homeless, limit, "two months", reasons,
        ("1987 Act s24(4)", "1987 Act s24(4)", "notice to end the tenancy"), "1987 Act s24",
    )
    outstanding: list[str] = []
    eligible = a.eligible is True
    if a.eligible is None and status in ("homeless", "threatened"):
        outstanding.append("eligible")
        reasons.append("1987 Act s28: eligibility is not yet decided")

    if status == "threatened" and eligible:
        duties.append(Duty("prevention", "s32(2)", approach_date, None))
        reasons.append(
            "1987 Act s32(2): eligible and threatened, so reasonable steps must be taken to keep "
            "the accommodation available"
        )
    elif status == "homeless":
        # s29: reason to believe homeless is enough (no priority-need test since the 2001 Act).
        duties.append(Duty("temporary_accommodation", "s29", approach_date, None))
        reasons.append(
            "1987 Act s29: reason to believe homeless, so temporary accommodation while inquiries "
            "continue"
        )
        if eligible and a.intentional is True:
            duties.append(Duty("intentional_accommodation", "s31(3)", approach_date, None))
            reasons.append(
                "1987 Act s31(3): intentionally homeless, so accommodation for a reasonable "
                "period with advice and assistance"
            )
        elif eligible:
            # Intentionality is a power since the 2003 Act: unrecorded counts as not intentional.
            duties.append(Duty("settled_accommodation", "s31(2)", approach_date, None))
            reasons.append(
                "1987 Act s31(2): eligible and not found intentionally homeless, so settled "
                "(permanent) accommodation; no priority-need test since 31 December 2012"
            )
    elif status == "undetermined":
        outstanding.append("homeless")
        reasons.append("1987 Act s28: inquiries into whether the applicant is homeless or threatened continue")

    reasons.append(
        f"Housing (Scotland) Act 2001 s2: advice and information about homelessness is owed to "
        f"anyone, from {approach_date}"
    )
    # No local connection referral: suspended between Scottish councils from 29 Nov 2022.
    return Assessment(status, tuple(duties), tuple(outstanding), False, tuple(reasons))


# --- output -----------------------------------------------------------------------------


def assessment_to_json(a: Assessment) -> dict:
    """The contract's output object (status, duties, outstanding, referral_possible, reasons)."""
    return {
        "status": a.status,
        "duties": [
            {
                "duty": d.duty,
                "section": d.section,
                "from": d.start.isoformat(),
                "until": d.until.isoformat() if d.until is not None else None,
            }
            for d in a.duties
        ],
        "outstanding": list(a.outstanding),
        "referral_possible": a.referral_possible,
        "reasons": list(a.reasons),
    }


# --- what would change ------------------------------------------------------------------

# For each outstanding fact: the answers to try, with the words staff would use.
_ALTERNATIVES: dict[str, tuple[tuple[str, dict], ...]] = {
    "eligible": (("if eligible", {"eligible": True}), ("if not eligible", {"eligible": False})),
    "homeless": (("if homeless", {"homeless": True}), ("if not homeless", {"homeless": False})),
    "priority_need": (
        ("if in priority need", {"priority_need": ("vulnerable",)}),
        ("if not in priority need", {"priority_need": ()}),
    ),
    "intentional": (("if not intentional", {"intentional": False}), ("if intentional", {"intentional": True})),
}

_STATUS_WORDS = {
    "ineligible": "not eligible",
    "homeless": "homeless",
    "threatened": "threatened with homelessness",
    "not_threatened": "not threatened",
    "undetermined": "still undetermined",
}


PREVENTION_CONTINUES = "continues until ended by notice (s195(8))"
"""How a prevention duty past its 56 days is described: it is still owed (s195(5), (8))."""


def describe_duty(d: Duty, as_of: date | None = None) -> str:
    """'main housing duty (s193) from 2026-05-04' - one duty in staff's words.

    The prevention duty (s195) does not end when its 56 days do: it ends only by notice on one of
    the grounds in s195(8). So it is never described as running "to" a date: while the 56 days
    run it is "56 days to <date>, then until ended by notice"; once ``as_of`` is past them it
    "continues until ended by notice (s195(8))".
    """
    text = f"{DUTY_WORDS.get(d.duty, d.duty)} ({d.section}) from {d.start}"
    if d.duty == "prevention" and d.until is not None:
        if as_of is not None and as_of >= d.until:
            return f"{text}; the 56 days ended on {d.until}: {PREVENTION_CONTINUES}"
        return f"{text}; 56 days to {d.until}, then until ended by notice"
    if d.until is not None:
        text += f" to {d.until}"
    return text


def loss_date_unknown(a: Approach) -> bool:
    """True when the applicant is not known to be homeless and no date of losing the home is recorded.

    Then whether they are threatened (s175(4)-(5): within 56 days) is not yet known: the screens
    say so, and a case is never closed as "not threatened" on a blank date.
    """
    homeless = a.homeless is True or a.rough_sleeping or a.domestic_abuse_risk_at_home
    return not homeless and a.eligible is not False and a.loss_date is None and a.s21_expiry is None


HEADLINES = {
    "ineligible": "NOT ELIGIBLE (s185) — advice only (s179)",
    "homeless": "HOMELESS",
    "threatened": "THREATENED WITH HOMELESSNESS",
    "not_threatened": "NOT HOMELESS OR THREATENED — advice",
    "undetermined": "NOT YET KNOWN — inquiries continue",
}
LOSS_DATE_UNKNOWN_HEADLINE = "NOT HOMELESS NOW — loss date not yet known: ask when the home may be lost"


def headline(a: Approach, result: Assessment) -> str:
    """The triage panel's first line: the status in words, never 'not threatened' on a blank date."""
    if result.status == "not_threatened" and loss_date_unknown(a):
        return LOSS_DATE_UNKNOWN_HEADLINE
    return HEADLINES.get(result.status, result.status)


def owed_today(a: Approach, result: Assessment, as_of: date | None = None) -> str:
    """'Owed today: …' in words: the duties beyond advice, or why there is only advice for now.

    Never "advice only" while eligibility is undecided for someone homeless or threatened: the
    prevention (s195) and relief (s189B) duties are owed to an eligible applicant whatever their
    priority need, so what is owed waits on eligibility, not on priority need.
    """
    owed = [describe_duty(d, as_of) for d in result.duties if d.duty != "advice"]
    if owed:
        return "; ".join(owed)
    if result.status == "ineligible":
        return "advice only (s179): not eligible (s185)"
    if "eligible" in result.outstanding:
        duty = "relief (s189B)" if result.status == "homeless" else "prevention (s195)"
        return (f"advice (s179) for now; {duty} is owed once eligibility is decided, whatever the priority need")
    if result.status == "undetermined":
        return "advice (s179) while inquiries into homelessness continue (s184)"
    if result.status == "not_threatened" and loss_date_unknown(a):
        return "advice (s179); whether they are threatened is not yet known: ask when the home may be lost"
    return "advice only (s179)"


def still_to_decide(a: Approach) -> list[tuple[str, str]]:
    """(question, what each answer would change) for every fact a decision waits on, in the order asked.

    The engine's outstanding facts (docs/CLI.md), plus the loss date when it is blank for someone not
    known to be homeless: a blank date is "not yet known", never "no loss expected".
    """
    questions = {"eligible": "Eligible?", "homeless": "Homeless now?", "priority_need": "Priority need?",
                 "intentional": "Intentionally homeless?"}
    changes = what_would_change(a)
    out = [(questions[fact], changes.get(fact, "")) for fact in assess(a).outstanding]
    if loss_date_unknown(a):
        limit = a.approach_date + DAYS_56 if a.jurisdiction == "england" else add_months(
            a.approach_date, SCOTTISH_THREAT_MONTHS)
        out.append(("When is the home lost?", (
            f"not yet known: if on or before {limit} (or a section 21 notice expires by then), threatened with "
            "homelessness and the prevention duty is owed if eligible (s175(4)-(5), s195); if later, not yet "
            "threatened")))
    return out


def _duties_ahead(a: Approach) -> list[Duty]:
    """Duties beyond advice owed on as_of, then those that start when relief ends."""
    found = [d for d in assess(a).duties if d.duty != "advice"]
    if a.jurisdiction == "england":
        start = a.relief_start if a.relief_start is not None and a.relief_start < a.approach_date else a.approach_date
        relief_until = start + DAYS_56
        if (a.as_of or a.approach_date) < relief_until:
            names = {d.duty for d in found}
            later = assess(replace(a, as_of=relief_until)).duties
            found.extend(d for d in later if d.duty != "advice" and d.duty not in names)
    return found


def what_would_change(approach: Approach) -> dict[str, str]:
    """For each outstanding fact, one line saying what each answer would add to the duties owed."""
    result: dict[str, str] = {}
    current = {(d.duty, d.start) for d in _duties_ahead(approach)}
    for fact in assess(approach).outstanding:
        parts = []
        for label, changes in _ALTERNATIVES[fact]:
            hypothetical = replace(approach, **changes)
            ahead = _duties_ahead(hypothetical)
            added = [d for d in ahead if (d.duty, d.start) not in current]
            if not ahead and hypothetical.eligible is None and assess(hypothetical).status in (
                    "homeless", "threatened") and fact != "eligible":
                # Eligibility still undecided: no duty is listed yet, but it is not "advice only" — the
                # relief (s189B) and prevention (s195) duties do not depend on priority need.
                duty = "relief duty (s189B)" if assess(hypothetical).status == "homeless" else "prevention duty (s195)"
                text = f"no interim accommodation; {duty} still owed if eligible, whatever the priority need"
                if fact != "priority_need":
                    text = f"{duty} owed if eligible"
            elif not ahead and assess(hypothetical).status == "not_threatened" and loss_date_unknown(hypothetical):
                text = "advice for now; whether they are threatened waits on when the home may be lost (not yet known)"
            elif not ahead:
                text = "advice only"
            elif added:
                text = ", ".join(describe_duty(d) for d in added)
            else:
                text = "no change to the duties owed"
            if fact == "homeless":
                status = assess(hypothetical).status
                words = ("not shown to be threatened" if status == "not_threatened" and loss_date_unknown(hypothetical)
                         else _STATUS_WORDS[status])
                text = f"{words}, {text}"
            parts.append(f"{label}: {text}")
        result[fact] = "; ".join(parts)
    return result
