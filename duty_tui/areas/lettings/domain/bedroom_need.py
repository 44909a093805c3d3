"""Bedroom need: how many bedrooms a household needs under the bedroom standard in data
(``data/lettings/bedroom_standard.toml``; default the social sector size criteria), and the
overcrowding it implies for a current home (bedrooms short).

One bedroom for each couple; each other person aged ``adult_age`` or over; two children of the same
sex; two children under ``any_sex_under``; each other child; a non-resident overnight carer; a child
who cannot share because of a disability — using the fewest bedrooms these allow (a largest pairing
of the children who may share).
"""

from __future__ import annotations

from dataclasses import dataclass

from duty_tui.areas.lettings.domain.reference import BedroomStandard
from duty_tui.core.domain.json_input import ProblemsError, flag

MAX_MEMBERS = 30
"""A household larger than this is refused: no home is let to it, and the pairing search stays quick."""


@dataclass(frozen=True)
class Member:
    age: int
    sex: str


@dataclass(frozen=True)
class Household:
    members: tuple[Member, ...]
    couples: tuple[tuple[int, int], ...] = ()
    overnight_carer: bool = False
    cannot_share: tuple[int, ...] = ()


def bedrooms_needed(household: Household, rule: BedroomStandard) -> int:
    """The fewest bedrooms the household needs under ``rule``."""
    in_couple = {index for pair in household.couples for index in pair}
    own_room = set(household.cannot_share) if rule.cannot_share_room else set()
    rooms = len(household.couples)
    # A partner who cannot share because of a disability has a room of their own (the couple keeps one).
    rooms += sum(1 for pair in household.couples if rule.cannot_share_room and own_room & set(pair))
    children: list[Member] = []
    for index, member in enumerate(household.members):
        if index in in_couple:
            continue
        if member.age >= rule.adult_age or index in own_room:
            rooms += 1
        else:
            children.append(member)
    if household.overnight_carer and rule.overnight_carer_room:
        rooms += 1
    return rooms + len(children) - _most_pairs(tuple(children), rule.any_sex_under)


def _may_share(one: Member, other: Member, any_sex_under: int) -> bool:
    return one.sex == other.sex or (one.age < any_sex_under and other.age < any_sex_under)


def _most_pairs(children: tuple[Member, ...], any_sex_under: int) -> int:
    """The largest number of disjoint sharing pairs. Children of one sex may all share with each other;
    across the sexes only two young children (both under ``any_sex_under``) may. So pair girls with
    girls and boys with boys, and when both counts are odd one young girl and one young boy share."""
    girls = [child for child in children if child.sex == "f"]
    boys = [child for child in children if child.sex != "f"]
    pairs = len(girls) // 2 + len(boys) // 2
    if len(girls) % 2 and len(boys) % 2 and any(c.age < any_sex_under for c in girls) \
            and any(c.age < any_sex_under for c in boys):
        pairs += 1
    return pairs


def bedrooms_short(needed: int, current_bedrooms: int) -> int:
    """Overcrowding in a current home: the bedrooms it lacks for the household (0 when it has enough)."""
    return max(0, needed - current_bedrooms)


def parse_household(item: object, rule: BedroomStandard) -> Household:
    """One household from the command's JSON; every problem found is a line of ProblemsError."""
    if type(item) is not dict:
        raise ProblemsError(["household: must be a JSON object with members"])
    problems: list[str] = []
    known = {"members", "couples", "overnight_carer", "cannot_share"}
    problems += [f"{key}: not a known key (expected {', '.join(sorted(known))})" for key in item if key not in known]
    members = _members(item.get("members"), rule, problems)
    couples = _couples(item.get("couples"), members, rule, problems)
    carer = flag(item, "overnight_carer", problems)
    cannot_share = _indices(item.get("cannot_share"), len(members), "cannot_share", problems)
    if problems:
        raise ProblemsError(problems)
    return Household(tuple(members), couples, carer, tuple(sorted(set(cannot_share))))


def _members(raw: object, rule: BedroomStandard, problems: list[str]) -> list[Member]:
    if type(raw) is not list or not raw:
        problems.append("members: must be a non-empty list of {\"age\": N, \"sex\": \"f\"|\"m\"}")
        return []
    if len(raw) > MAX_MEMBERS:
        problems.append(f"members: {len(raw)} people; a household has at most {MAX_MEMBERS}")
        return []
    members = []
    for index, each in enumerate(raw):
        if type(each) is not dict:
            problems.append(f"members[{index}]: must be an object with age and sex")
            continue
        age, sex = each.get("age"), each.get("sex")
        if type(age) is not int or not 0 <= age <= rule.max_age:
            problems.append(f"members[{index}].age: {age!r} is not a possible age; give whole years 0-{rule.max_age}")
        if sex not in ("f", "m"):
            problems.append(f'members[{index}].sex: {sex!r} must be "f" or "m"')
        if type(age) is int and sex in ("f", "m"):
            members.append(Member(age, str(sex)))
    return members if len(members) == len(raw) else []


def _indices(raw: object, count: int, key: str, problems: list[str]) -> list[int]:
    if raw is None:
        return []
    if type(raw) is not list or any(type(each) is not int for each in raw):
        problems.append(f"{key}: must be a list of member indices")
        return []
    bad = [each for each in raw if not 0 <= each < count]
    if bad and count:
        problems.append(f"{key}: index {bad[0]} is not a member (0-{count - 1})")
        return []
    return list(raw)


def _couples(raw: object, members: list[Member], rule: BedroomStandard,
             problems: list[str]) -> tuple[tuple[int, int], ...]:
    if raw is None:
        return ()
    if type(raw) is not list or any(type(pair) is not list or len(pair) != 2 for pair in raw):
        problems.append("couples: must be a list of [i, j] pairs of member indices")
        return ()
    flat = _indices([each for pair in raw for each in pair], len(members), "couples", problems)
    if len(flat) != 2 * len(raw) or not members:
        return ()
    if len(set(flat)) != len(flat):
        problems.append("couples: a member can be in one couple only, and not with themselves")
        return ()
    if young := [index for index in flat if members[index].age < rule.adult_age]:
        problems.append(f"couples: member {young[0]} is under {rule.adult_age}; a couple's members are "
                        f"{rule.adult_age} or over")
        return ()
    return tuple((pair[0], pair[1]) for pair in raw)


__all__ = ["Household", "Member", "bedrooms_needed", "bedrooms_short", "parse_household"]
