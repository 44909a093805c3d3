"""Issue 11 B13: the triage's words (the duties were legally right; the words were not). Each rule is
named by its statute: a blank loss date is "not yet known" (s175(4)-(5)); relief is owed to an eligible
homeless applicant whatever their priority need (s189B), so an unknown eligibility is never "advice
only"; a prevention duty past its 56 days continues until ended by notice (s195(8)); decision letters
(s184) carry the applicant's words, wrap cleanly and have a postal address (or say where to collect
them, s184(6)); the household is entered as people, not free text."""

from __future__ import annotations

from datetime import date

from duty_tui.areas.housing_options.domain.homelessness import (
    Approach,
    assess,
    describe_duty,
    headline,
    owed_today,
    still_to_decide,
    what_would_change,
)
from duty_tui.areas.housing_options.domain.intake import household_entry, postal_address
from duty_tui.areas.housing_options.domain.letters import (
    WIDTH,
    address_block,
    letter_duty_line,
    letter_outstanding,
    letter_reasons,
    render,
)

A = date(2026, 3, 9)


def words(a: Approach) -> str:
    """Everything the triage panel says about an approach, in one string."""
    result = assess(a)
    return " | ".join([headline(a, result), owed_today(a, result, a.as_of), *result.reasons,
                       *(f"{q} {c}" for q, c in still_to_decide(a))])


def test_s175_4_a_blank_loss_date_is_not_yet_known_never_no_loss_expected():
    a = Approach(A, as_of=A, eligible=True, homeless=False)
    assert assess(a).status == "not_threatened"  # the contract's status is unchanged (docs/CLI.md)
    text = words(a)
    assert "no loss" not in text.lower() and "not yet known" in text
    assert headline(a, assess(a)).startswith("NOT HOMELESS NOW — loss date not yet known")
    assert ("When is the home lost?" in [q for q, _ in still_to_decide(a)])
    assert "advice only" not in owed_today(a, assess(a))
    # With a date beyond the 56 days it is known: not threatened (yet), and said so.
    later = Approach(A, as_of=A, eligible=True, homeless=False, loss_date=date(2026, 7, 1))
    assert headline(later, assess(later)) == "NOT HOMELESS OR THREATENED — advice"
    assert "When is the home lost?" not in [q for q, _ in still_to_decide(later)]
    # Homelessness itself unknown: "if not homeless" must not claim no loss is expected either.
    unknown = Approach(A, as_of=A)
    assert "if not homeless: not shown to be threatened" in what_would_change(unknown)["homeless"]


def test_s189B_relief_is_owed_whatever_the_priority_need_so_unknown_eligibility_is_never_advice_only():
    a = Approach(A, as_of=A, homeless=True, priority_need=())  # eligibility unknown, no priority need
    text = words(a)
    assert "advice only" not in text.replace("if not eligible: advice only", "")
    assert "relief (s189B) is owed once eligibility is decided, whatever the priority need" in owed_today(a, assess(a))
    both_unknown = Approach(A, as_of=A, homeless=True)
    change = what_would_change(both_unknown)["priority_need"]
    assert "if not in priority need: no interim accommodation; relief duty (s189B) still owed if eligible" in change
    # Ineligible really is advice only (s185, s179): that wording stays.
    ineligible = Approach(A, as_of=A, homeless=True, eligible=False)
    assert headline(ineligible, assess(ineligible)).endswith("advice only (s179)")


def test_s195_8_a_prevention_duty_past_its_56_days_continues_until_ended_by_notice():
    late = date(2026, 6, 1)
    a = Approach(A, as_of=late, eligible=True, loss_date=date(2026, 4, 20))
    prevention = next(d for d in assess(a).duties if d.duty == "prevention")
    line = describe_duty(prevention, late)
    assert line.endswith("continues until ended by notice (s195(8))") and not line.endswith("to 2026-05-04")
    assert "continues until ended by notice (s195(8))" in owed_today(a, assess(a), late)
    during = describe_duty(prevention, A)
    assert "then until ended by notice" in during
    assert "continues until we tell you in writing" in letter_duty_line(prevention, late)


def test_s184_letters_carry_the_applicants_words_not_the_engines():
    a = Approach(A, as_of=A, homeless=True, priority_need=("pregnant",))
    result = assess(a)
    reasons = letter_reasons(result.reasons)
    assert all(not line.startswith("s1") and "listed yet" not in line for line in reasons)
    assert any(line.startswith("Section 188:") for line in reasons)
    outstanding = letter_outstanding(result.outstanding)
    assert outstanding == ["Whether you are eligible for help with housing (section 185)",
                           "Whether you became homeless intentionally (section 191)"]
    assert not any("if not intentional" in line or line.startswith("intentional:") for line in outstanding)
    assert letter_outstanding((), loss_date_unknown=True) == ["When you may lose your home (section 175(4) and (5))"]


def test_s184_letters_wrap_cleanly_and_have_a_postal_address():
    template = ("{applicant_name}\n{applicant_address}\n\nDear {applicant_name},\n\n"
                "We have made inquiries into your application under Part 7 of the Housing Act 1996 and\n"
                "decided on {date} that we owe you the relief duty (section 189B of the Act) for 56 days.\n")
    text = render(template, {"applicant_name": "Ms Anna-Maria Kowalczyk-Brzęczyszczykiewicz",
                             "applicant_address": "Flat 2\n14 Mill Lane\nSwindon\nSN1 2AB", "date": "30 September 2026"})
    lines = text.splitlines()
    assert all(len(line) <= WIDTH for line in lines)
    assert lines[1:5] == ["Flat 2", "14 Mill Lane", "Swindon", "SN1 2AB"]  # the address keeps its lines
    assert any("30 September 2026" in line for line in lines)  # a date is never split across lines
    assert "section 189B" in text.replace("\n", " ") and "section\n" not in text
    # No address recorded: the letter says where it waits to be collected (s184(6)), never a blank.
    assert address_block([], collect_from="Swindon Civic Offices").startswith("To be collected from Swindon")


def test_the_household_is_entered_as_people_and_the_address_is_checked():
    today = date(2026, 3, 10)
    child, problems = household_entry("Sam", "", "child", "01/02/2019", today=today, applicant_surname="Khan")
    assert problems == {} and (child.surname, child.relationship, child.date_of_birth) == ("Khan", "child",
                                                                                             date(2019, 2, 1))
    assert child.describe(today) == "Sam Khan · Child · born 01/02/2019 (7)"
    _none, problems = household_entry("", "Khan", "", "31/02/2019", today=today)
    assert set(problems) == {"forename", "relationship", "born"}
    _none, problems = household_entry("Ali", "Khan", "child", "01/01/1990", today=today)
    assert "Other adult" in problems["relationship"]
    address, problems = postal_address("14 Mill Lane", "", "Swindon", "sn12ab")
    assert problems == {} and address.lines() == ["14 Mill Lane", "Swindon", "SN1 2AB"]
    assert postal_address("", "", "", "") == (None, {})
    _none, problems = postal_address("14 Mill Lane", "", "", "XX")
    assert set(problems) == {"address_town", "address_postcode"}
