"""The rent reconciliation's rules (docs/RENTS_RECONCILIATION.md): which rent group an account belongs to,
which line of the reconciliation each ledger row ``kind`` counts on, and the arithmetic of the identity

    opening balance + charges − payments − housing benefit − other credits ± adjustments = closing balance

for one rent group. Pure: no database, no clock; the figures are sums the services read with SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from duty_tui.core.config.reference import area_file, data_problem, read_toml
from duty_tui.core.domain.errors import EnvironmentProblem

FILE_NAME = "rent_groups.toml"
GROUP_BY = ("office", "property_type")
NO_PROPERTY = "no_property"
NO_PROPERTY_LABEL = "No property (suspense, personal accounts)"
UNCLASSIFIED = "unclassified"

LINES: tuple[tuple[str, str], ...] = (
    ("charges", "Rent and service charges"),
    ("other_charges", "Court costs and rechargeable repairs"),
    ("payments", "Cash and other payments"),
    ("housing_benefit", "Housing benefit"),
    ("other_credits", "Other credits (Universal Credit paid to us)"),
    ("adjustments", "Adjustments (reversals, transfers, write-offs, refunds)"),
    (UNCLASSIFIED, "Unclassified (a kind this reconciliation does not know)"),
)
"""Every line in the order it is shown; each figure is the signed sum of its rows (charges +, credits −)."""
LINE_NAMES = dict(LINES)

KIND_LINES: dict[str, str] = {
    "rent_debit": "charges", "service_charge": "charges",
    "court_costs": "other_charges", "rechargeable_repair": "other_charges",
    "payment": "payments", "suspense_transfer": "payments",
    "housing_benefit": "housing_benefit",
    "universal_credit": "other_credits",
    "reversal": "adjustments", "adjustment": "adjustments", "write_off": "adjustments", "refund": "adjustments",
    "former_tenant_debt": "adjustments", "transfer": "adjustments", "opening_balance": "adjustments",
}
"""Every ledger row kind the house writes (payments' words.py, income, the demo), mapped to its line.
A kind not here is counted on the ``unclassified`` line with its rows, never dropped."""

VOID_LOSS_KINDS: tuple[str, ...] = ()
"""No ledger kind is void loss: void rent loss is counted, not charged (DOMAIN.md). The debit run records it
in ``rent_void_loss`` (property, week, charge type); the reconciliation reads it beside the lines
(``GroupReconciliation.void_loss_pence``, weeks starting in the period) and never in the balance identity."""
VOID_LOSS = "void_loss"
VOID_LOSS_LABEL = "Void rent loss (counted, not charged)"


def line_of(kind: str) -> str:
    """The reconciliation line a ledger row kind counts on (``unclassified`` when unknown)."""
    return KIND_LINES.get(kind, UNCLASSIFIED)


def kinds_of(line: str) -> tuple[str, ...]:
    """The kinds that count on ``line`` (none for ``unclassified``: that is every other kind)."""
    return tuple(kind for kind, code in KIND_LINES.items() if code == line)


# --- rent groups -------------------------------------------------------------------------------

@dataclass(frozen=True)
class RentGroupRule:
    """One rule of rent_groups.toml: from ``effective_from``, group by ``group_by``, with optional labels."""

    effective_from: date
    group_by: str
    labels: tuple[tuple[str, str], ...] = ()

    def group_of(self, office_code: str | None, office_name: str | None, property_type: str | None,
                 has_property: bool) -> tuple[str, str]:
        """(group code, label) of an account whose property has this office and type."""
        if not has_property:
            return NO_PROPERTY, NO_PROPERTY_LABEL
        labels = dict(self.labels)
        if self.group_by == "office":
            code = office_code or "no_office"
            return code, labels.get(code, office_name or ("No office" if office_code is None else code))
        code = property_type or "no_type"
        return code, labels.get(code, code.replace("_", " ").capitalize())


@dataclass(frozen=True)
class RentGroupRules:
    """The rent group rules of a data folder, oldest first."""

    source: str
    rules: tuple[RentGroupRule, ...]

    def in_force(self, day: date) -> RentGroupRule:
        """The rule in force on ``day`` (the earliest one when ``day`` is before them all)."""
        current = self.rules[0]
        for rule in self.rules:
            if rule.effective_from <= day:
                current = rule
        return current


def _rule(path: Path, entry: Any, number: int) -> RentGroupRule:
    if not isinstance(entry, dict):
        raise EnvironmentProblem(f"{path}:1: rule {number}: expected a [[rule]] table; fix it there")
    day, group_by, labels = entry.get("effective_from"), entry.get("group_by", "office"), entry.get("labels", {})
    if isinstance(day, str):
        try:
            day = date.fromisoformat(day)
        except ValueError:
            day = None
    if not isinstance(day, date):
        raise data_problem(path, "effective_from", f"rule {number}: effective_from must be a date (YYYY-MM-DD)",
                           fix_there=True)
    if group_by not in GROUP_BY:
        raise data_problem(path, "group_by", f"rule {number}: group_by must be one of {', '.join(GROUP_BY)}, "
                           f"not {group_by!r}", fix_there=True)
    if not isinstance(labels, dict) or not all(isinstance(v, str) for v in labels.values()):
        raise data_problem(path, "labels", f"rule {number}: labels must map a group to its name", fix_there=True)
    return RentGroupRule(day, group_by, tuple(sorted(labels.items())))


def load_rent_group_file(path: Path) -> RentGroupRules:
    """Read and check one rent_groups.toml: every problem names the file and line."""
    raw = read_toml(path)
    entries = raw.get("rule")
    if not isinstance(entries, list) or not entries:
        raise EnvironmentProblem(f"{path}:1: rule: expected one or more [[rule]] entries; fix it there")
    rules = sorted((_rule(path, entry, n) for n, entry in enumerate(entries, start=1)),
                   key=lambda r: r.effective_from)
    return RentGroupRules(str(raw.get("source", "")), tuple(rules))


def load_rent_groups(data_dir: Path) -> RentGroupRules:
    """The rent group rules of a data folder (data/rents/rent_groups.toml)."""
    return load_rent_group_file(area_file(Path(data_dir), "rents", FILE_NAME))


# --- the figures -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Figure:
    """The rows of one kind (and payment method) in one group and period: how many, and their sum in pence."""

    line: str
    kind: str
    method: str | None
    rows: int
    pence: int

    @property
    def label(self) -> str:
        words = self.kind.replace("_", " ")
        return f"{words} ({self.method.replace('_', ' ')})" if self.method else words


@dataclass(frozen=True)
class GroupReconciliation:
    """One rent group's reconciliation for a period.

    ``opening_pence``: the rows dated before the period; ``figures``: the rows dated in it, by kind and
    method; ``kept_pence``: the kept balances (account_balance) less the rows dated after the period — a
    second, independent closing balance. ``void_loss_pence``: the rent_void_loss rows of weeks starting in
    the period (``void_rows`` of them), beside the identity, never in it (None: not read)."""

    code: str
    label: str
    opening_pence: int
    opening_rows: int
    figures: tuple[Figure, ...]
    kept_pence: int
    void_loss_pence: int | None = None
    void_rows: int = 0

    def line_pence(self, line: str) -> int:
        """The sum of one line's figures."""
        return sum(f.pence for f in self.figures if f.line == line)

    def line_rows(self, line: str) -> int:
        """How many rows one line counts."""
        return sum(f.rows for f in self.figures if f.line == line)

    @property
    def closing_pence(self) -> int:
        """Opening + every line: the closing balance the identity gives."""
        return self.opening_pence + sum(f.pence for f in self.figures)

    @property
    def difference_pence(self) -> int:
        """The identity's closing less the kept balances' closing (0 when they agree)."""
        return self.closing_pence - self.kept_pence

    @property
    def unclassified(self) -> tuple[Figure, ...]:
        return tuple(f for f in self.figures if f.line == UNCLASSIFIED)


def explain_difference(group: GroupReconciliation) -> str:
    """Why the closing balances differ, in words (or that they agree)."""
    if group.difference_pence == 0:
        return "none: the ledger rows and the kept balances agree"
    return (f"the ledger rows give {group.closing_pence} pence but the kept balances (account_balance, less the rows "
            f"dated after the period) give {group.kept_pence}: a kept balance is out of step with its rows; "
            "`duty-tui account reconcile` names the accounts and --repair rebuilds them from the ledger")


def combine(code: str, label: str, groups: tuple[GroupReconciliation, ...]) -> GroupReconciliation:
    """All groups as one (the "all" row): figures of the same kind and method added together."""
    merged: dict[tuple[str, str, str | None], list[int]] = {}
    for group in groups:
        for f in group.figures:
            slot = merged.setdefault((f.line, f.kind, f.method), [0, 0])
            slot[0] += f.rows
            slot[1] += f.pence
    figures = tuple(Figure(line, kind, method, rows, pence) for (line, kind, method), (rows, pence)
                    in sorted(merged.items(), key=lambda item: figure_order(item[0])))
    voids = [g.void_loss_pence for g in groups if g.void_loss_pence is not None]
    return GroupReconciliation(code, label, sum(g.opening_pence for g in groups), sum(g.opening_rows for g in groups),
                               figures, sum(g.kept_pence for g in groups), sum(voids) if voids else None,
                               sum(g.void_rows for g in groups))


def figure_order(key: tuple[str, str, str | None]) -> tuple[int, str, str]:
    """Sort key of a figure: its line's place, then kind, then method."""
    line, kind, method = key
    places = [code for code, _ in LINES]
    return places.index(line), kind, method or ""


__all__ = ["FILE_NAME", "KIND_LINES", "LINES", "LINE_NAMES", "NO_PROPERTY", "UNCLASSIFIED", "VOID_LOSS", "VOID_LOSS_KINDS",
           "VOID_LOSS_LABEL",
           "Figure", "GroupReconciliation", "RentGroupRule", "RentGroupRules", "combine", "explain_difference",
           "figure_order", "kinds_of", "line_of", "load_rent_group_file", "load_rent_groups"]
