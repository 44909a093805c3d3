"""Pure front-desk rules: contact checks, identity matching, statistics helpers, reason matching, data files."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from duty_tui.areas.frontdesk.domain import rules
from duty_tui.areas.frontdesk.domain.reference import load_frontdesk_reference
from duty_tui.core.domain.errors import EnvironmentProblem

DATA = Path(__file__).resolve().parents[3] / "data"
NOW = datetime(2026, 3, 10, 10, 30, tzinfo=UTC)


def facts(**changes) -> rules.ContactFacts:
    base = dict(channel="phone", at=NOW, reasons=["rent.balance"], notes="", outcome="resolved",
                person_chosen=True, anonymous=False)
    base.update(changes)
    return rules.ContactFacts(**base)


def problems(**changes) -> list[str]:
    return rules.contact_problems(facts(**changes), now=NOW, notes_max=4000, backdate_max_days=31,
                                  channels=["phone", "email"], outcomes=["resolved", "signposted", "routed",
                                                                         "callback", "appointment"])


def test_a_good_contact_has_no_problems():
    assert problems() == []


@pytest.mark.parametrize("changes, fragment", [
    ({"reasons": []}, "reason: choose at least one reason"),
    ({"at": NOW + timedelta(hours=2)}, "in the future"),
    ({"at": NOW - timedelta(days=40)}, "backdated at most 31 days"),
    ({"notes": "x" * 4001}, "over the limit of 4,000; shorten by 1"),
    ({"person_chosen": False}, "caller: choose the person"),
    ({"anonymous": True}, "anonymous caller cannot also be a known person"),
    ({"outcome": "signposted"}, "choose the agency"),
    ({"outcome": "callback"}, "number to call back"),
    ({"outcome": "appointment"}, "give the date and time"),
    ({"channel": "pigeon"}, "channel"),
])
def test_bad_input_says_what_to_fix(changes, fragment):
    found = problems(**changes)
    assert any(fragment in p for p in found), found


def test_anonymous_or_third_party_callers_need_no_person():
    assert problems(person_chosen=False, anonymous=True) == []
    assert problems(person_chosen=False, third_party_name="Cllr Patel") == []


RECORD = rules.IdentityRecord(("T00001",), ("RNT000001",), date(1961, 4, 2), "12 Mill Lane", "SN1 2AB")


@pytest.mark.parametrize("method, answer, ok", [
    ("tenancy_ref", "t00001", True), ("tenancy_ref", "T 00001", True), ("tenancy_ref", "RNT000001", True),
    ("tenancy_ref", "T00002", False), ("tenancy_ref", "", False),
    ("date_of_birth", "02/04/1961", True), ("date_of_birth", "1961-04-02", True), ("date_of_birth", "2 4 1961", True),
    ("date_of_birth", "04/02/1961", False), ("date_of_birth", "02/04/61", False),
    ("address", "12 Mill Lane, SN1 2AB", True), ("address", "12 sn12ab", True),
    ("address", "14 Mill Lane SN1 2AB", False), ("address", "12 Mill Lane SN1 2AD", False),
    ("address", "Mill Lane SN1 2AB", False),
])
def test_identity_is_a_yes_no_comparison(method, answer, ok):
    assert rules.identity_matches(method, answer, RECORD) is ok


def test_identity_check_problems():
    assert "tenancy reference" in rules.identity_check_problem("passport", "x")
    assert "type what the caller gives" in rules.identity_check_problem("date_of_birth", " ")
    assert "not a date" in rules.identity_check_problem("date_of_birth", "yesterday")
    assert rules.identity_check_problem("tenancy_ref", "T1") is None


def test_median_and_nearest_rank_percentile():
    assert rules.median([]) is None and rules.percentile([], 95) is None
    assert rules.median([5, 1, 3]) == 3 and rules.median([4, 1, 3, 2]) == 2.5
    values = list(range(1, 101))
    assert rules.percentile(values, 95) == 95 and rules.percentile(values, 100) == 100
    assert rules.percentile([7], 95) == 7
    assert rules.rate(3, 4) == 0.75 and rules.rate(0, 0) is None


def test_bars_and_minutes_are_text():
    assert rules.bar(10, 10, 5) == "█████" and rules.bar(0, 10, 5) == ""
    assert rules.bar(1, 16, 2) == "▏"
    assert rules.format_minutes(None) == "—" and rules.format_minutes(65) == "1 h 05 min"


def test_reasons_match_what_is_typed():
    ref = load_frontdesk_reference(DATA)
    reasons = [(r.code, r.label, r.keywords) for r in ref.reasons.values()]
    assert rules.match_reasons("bal", reasons)[0] == "rent.balance"
    assert rules.match_reasons("damp mou", reasons)[0] == "repairs.damp_mould"
    assert rules.match_reasons("gas", reasons)[0] == "repairs.emergency_hazard"
    assert rules.match_reasons("child", reasons)[0] == "safeguarding.child"
    assert rules.match_reasons("new comp", reasons)[0] == "complaint.new"
    assert rules.match_reasons("", reasons)[0] == "rent.balance"
    assert rules.match_reasons("zzz", reasons) == []


def test_reference_files_cover_the_brief():
    ref = load_frontdesk_reference(DATA)
    labels = {r.label for r in ref.reasons.values()}
    for label in ("Rent › Balance enquiry", "Repairs › Report a repair", "Repairs › Damp and mould",
                  "Repairs › Emergency hazard", "Homelessness › Approach", "Homelessness › Nowhere to stay tonight",
                  "ASB › Report", "Housing register › Application status", "Lettings › Offer",
                  "Complaint › New complaint", "Safeguarding › Child at risk", "Safeguarding › Adult at risk",
                  "General › Other"):
        assert label in labels
    assert ref.reasons["rent.balance"].needs_identity_check
    assert ref.reasons["service.request"].case_type == "service_request"
    assert {"citizens_advice", "shelter", "stepchange", "domestic_abuse_helpline", "samaritans", "food_bank"} <= set(
        ref.agencies)
    assert ref.repair_priorities["emergency"].kind == "hours" and ref.repair_priorities["emergency"].amount == 24
    assert [ref.repair_priorities[c].amount for c in ("rtr_1", "rtr_3", "rtr_7")] == [1, 3, 7]


def test_a_bad_reason_file_names_file_and_line(tmp_path):
    for name in DATA.glob("*.toml"):
        shutil.copy(name, tmp_path / name.name)
    shutil.copytree(DATA / "frontdesk", tmp_path / "frontdesk")
    path = tmp_path / "frontdesk" / "contact_reasons.toml"
    text = path.read_text().replace('team = "asb"', 'team = "nowhere"', 1)
    path.write_text(text)
    with pytest.raises(EnvironmentProblem) as caught:
        load_frontdesk_reference(tmp_path)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if 'code = "asb.report"' in row)
    assert f"contact_reasons.toml:{line}:" in caught.value.message and "nowhere" in caught.value.message


def test_a_council_data_folder_in_the_layout_before_area_folders_still_loads(tmp_path):
    """DUTY_DATA_DIR copied before data/ had a folder per area: the front desk's files at its top are read."""
    for name in [*DATA.glob("*.toml"), *(DATA / "frontdesk").glob("*.toml")]:
        shutil.copy(name, tmp_path / name.name)
    (tmp_path / "contact_reasons.toml").write_text(
        (DATA / "frontdesk" / "contact_reasons.toml").read_text().replace('team = "asb"', 'team = "nowhere"', 1))
    with pytest.raises(EnvironmentProblem) as caught:  # the council's own (flat) file is the one read
        load_frontdesk_reference(tmp_path)
    assert f"{tmp_path / 'contact_reasons.toml'}:" in caught.value.message
    (tmp_path / "contact_reasons.toml").write_text((DATA / "frontdesk" / "contact_reasons.toml").read_text())
    assert load_frontdesk_reference(tmp_path).reasons == load_frontdesk_reference(DATA).reasons
