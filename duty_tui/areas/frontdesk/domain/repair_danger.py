"""Which repair priority the words of a report suggest: a proposal the desk can change.

A leak through a light fitting typed as "routine" waits 20 working days; the words already say
"water near electrics". The rules are data (data/frontdesk/repair_priorities.toml, [[danger]]): a rule
matches when any of its phrases appears, or when every one of its word groups has a word in
the text. Words match whole, case and punctuation aside. The first matching rule in force
(``effective_from`` on or before the day) wins; each rule names the policy it comes from.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

__all__ = ["DangerRule", "PriorityProposal", "propose_priority"]


@dataclass(frozen=True)
class DangerRule:
    """Words that suggest a danger, and the priority they propose."""

    name: str
    priority: str
    priority_scotland: str = ""
    phrases: tuple[str, ...] = ()
    all_of: tuple[tuple[str, ...], ...] = ()
    effective_from: date | None = None  # in force from this day (None: always)
    source: str = ""  # the policy or law the rule comes from

    def in_force(self, on: date | None) -> bool:
        """Whether the rule applies on ``on`` (None: today's rules, whatever the day)."""
        return on is None or self.effective_from is None or self.effective_from <= on

    def priority_in(self, jurisdiction: str) -> str:
        """The priority code proposed in ``jurisdiction``."""
        return self.priority_scotland if jurisdiction == "scotland" and self.priority_scotland else self.priority


@dataclass(frozen=True)
class PriorityProposal:
    """A proposed priority: which rule, and the words that matched."""

    priority: str
    rule: str
    words: tuple[str, ...]

    def because(self) -> str:
        """'water near electrics: “leak”, “light”'."""
        return f"{self.rule}: " + ", ".join(f"“{w}”" for w in self.words)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _find(words: list[str], phrase: str) -> bool:
    wanted = _words(phrase)
    if not wanted:
        return False
    size = len(wanted)
    return any(words[i:i + size] == wanted for i in range(len(words) - size + 1))


def propose_priority(text: str, rules: Sequence[DangerRule], jurisdiction: str = "england",
                     on: date | None = None) -> PriorityProposal | None:
    """The priority the words of ``text`` suggest on day ``on``, or None when nothing in it suggests danger."""
    words = _words(text or "")
    if not words:
        return None
    for rule in rules:
        if not rule.in_force(on):
            continue
        found = [phrase for phrase in rule.phrases if _find(words, phrase)]
        if found:
            return PriorityProposal(rule.priority_in(jurisdiction), rule.name, (found[0],))
        if rule.all_of:
            picks = [next((w for w in group if _find(words, w)), None) for group in rule.all_of]
            if all(picks):
                return PriorityProposal(rule.priority_in(jurisdiction), rule.name, tuple(p for p in picks if p))
    return None
