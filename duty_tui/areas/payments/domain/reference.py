"""Payments policy and code lists from ``data/payments/payments.toml``, validated at load.

A mistake in the file stops with one message naming the file and line. Screens,
services, the importer and the CLI all read the same lists from here, so no code
list is hard-coded anywhere else.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from duty_tui.core.config.reference import area_file, data_problem, read_toml
from duty_tui.core.domain.errors import EnvironmentProblem
from duty_tui.core.domain.money import parse_pounds

FILE_NAME = "payments.toml"
CHANNELS = ("counter", "phone", "office", "file")
FREQUENCIES = ("weekly", "fortnightly", "four_weekly", "monthly")
ACCOUNT_TYPES = ("rent", "former_tenant", "rechargeable_repairs", "court_costs", "service_charge", "suspense")
# The methods a payment file may carry (docs/CLI.md `payments import`): every one must be defined.
CONTRACT_METHODS = ("cash", "cheque", "card", "allpay", "paypoint", "direct_debit", "standing_order",
                    "bank_transfer", "housing_benefit", "universal_credit")


@dataclass(frozen=True)
class Method:
    """A way money arrives."""

    code: str
    name: str
    channels: tuple[str, ...]
    ledger_kind: str
    cashup: str | None  # "denominations", "total" or None (not counted at the till)


@dataclass(frozen=True)
class FormMethod:
    """One choice on the take-payment form: a method and where it was taken."""

    code: str
    name: str
    method: str
    channel: str

    @property
    def counter(self) -> bool:
        """True when the money goes into a till (and so into the cash-up)."""
        return self.channel == "counter"


@dataclass(frozen=True)
class Denomination:
    """A note or coin."""

    pence: int
    name: str


@dataclass(frozen=True)
class ReversalReason:
    """Why a ledger row is reversed."""

    code: str
    name: str
    needs_note: bool


@dataclass(frozen=True)
class PaymentsPolicy:
    """Everything in payments.toml."""

    counter_limit_pence: int
    import_row_limit_pence: int
    backdate_days: int
    refund_clearance_days: int
    refund_methods: tuple[str, ...]
    arrangement_grace_days: int
    """The tolerance: days after an instalment, lump sum or rent charge falls due before it counts."""
    frequencies: tuple[str, ...]
    tills: tuple[str, ...]
    suspense_ref: str
    suspense_holder: str
    split_priority: tuple[str, ...]
    methods: dict[str, Method]
    form_methods: dict[str, FormMethod]
    denominations: tuple[Denomination, ...]
    reversal_reasons: dict[str, ReversalReason]
    tolerance_from: date = date(2026, 4, 6)
    """The day the tolerance took effect ([arrangement_tolerance] effective_from)."""
    tolerance_source: str = ""
    """Where the tolerance comes from ([arrangement_tolerance] source)."""
    rent_kinds: tuple[str, ...] = ("rent_debit",)
    """Ledger kinds that are rent charged: an arrangement expects them paid as well as its instalments."""

    def method_name(self, code: str | None) -> str:
        """A method's name for people ('Cash'), or the code itself when unknown."""
        if not code:
            return "—"
        method = self.methods.get(code)
        return method.name if method else code.replace("_", " ")

    def how_paid(self, method: str | None, channel: str | None) -> str:
        """How a payment was made, as a receipt says it: the form's words ('Card by phone (gateway)',
        'Cash at the counter'), else the method and where ('allpay swipe card from a payment file')."""
        for choice in self.form_methods.values():
            if choice.method == method and choice.channel == channel:
                return choice.name
        where = {"counter": "at the counter", "phone": "by phone", "office": "recorded by the office",
                 "file": "from a payment file"}.get(channel or "", (channel or "").replace("_", " "))
        return f"{self.method_name(method)} {where}".strip()

    def file_methods(self) -> tuple[str, ...]:
        """Methods a payment file may carry."""
        return tuple(code for code, m in self.methods.items() if "file" in m.channels)


def _problem(path: Path, needle: str, message: str) -> EnvironmentProblem:
    return data_problem(path, needle, message, fix_there=True)


def _pounds(path: Path, raw: dict[str, Any], key: str) -> int:
    value = raw.get(key)
    if not isinstance(value, str):
        raise _problem(path, key, f"{key} must be an amount in quotes, e.g. \"2,000.00\"")
    try:
        return parse_pounds(value)
    except ValueError as exc:
        raise _problem(path, key, f"{key}: {exc}") from None


def _int(path: Path, raw: dict[str, Any], key: str, low: int, high: int) -> int:
    value = raw.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise _problem(path, key, f"{key} must be a whole number from {low} to {high}")
    return value


def _strings(path: Path, raw: dict[str, Any], key: str, allowed: tuple[str, ...] | None = None) -> tuple[str, ...]:
    value = raw.get(key)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise _problem(path, key, f"{key} must be a list of one or more names in quotes")
    if allowed is not None:
        for item in value:
            if item not in allowed:
                raise _problem(path, f'"{item}"', f"{key}: {item!r} is not one of {', '.join(allowed)}")
    if len(set(value)) != len(value):
        raise _problem(path, key, f"{key} lists a name twice")
    return tuple(value)


def _entries(path: Path, raw: dict[str, Any], table: str, keys: tuple[str, ...]) -> list[dict[str, Any]]:
    entries = raw.get(table)
    if not isinstance(entries, list) or not entries:
        raise EnvironmentProblem(f"{path}:1: expected one or more [[{table}]] entries; fix it there")
    seen: set[Any] = set()
    for entry in entries:
        for key in keys:
            if key not in entry:
                raise _problem(path, str(entry.get("code", f"[[{table}]]")), f"a [[{table}]] entry lacks {key!r}")
        ident = entry[keys[0]]
        if ident in seen:
            raise _problem(path, f"{keys[0]} = {ident!r}".replace("'", '"'), f"{keys[0]} {ident!r} appears twice")
        seen.add(ident)
    return entries


def _tolerance(path: Path, raw: dict[str, Any]) -> tuple[int, date, str, tuple[str, ...]]:
    """[arrangement_tolerance]: days, effective_from, source, rent_kinds."""
    if "arrangement_grace_days" in raw:
        raise _problem(path, "arrangement_grace_days", "arrangement_grace_days has moved: write it as "
                       "[arrangement_tolerance] days, with its effective_from and source (see the shipped file)")
    table = raw.get("arrangement_tolerance")
    if not isinstance(table, dict):
        raise EnvironmentProblem(f"{path}:1: expected an [arrangement_tolerance] table (days, effective_from, "
                                 "source, rent_kinds); fix it there")
    days = _int(path, table, "days", 0, 31)
    since = table.get("effective_from")
    if not isinstance(since, date):
        raise _problem(path, "effective_from", "[arrangement_tolerance] effective_from must be a date, e.g. 2026-04-06")
    source = table.get("source")
    if not isinstance(source, str) or not source.strip():
        raise _problem(path, "[arrangement_tolerance]", "[arrangement_tolerance] needs a source: where the rule comes "
                       "from (e.g. \"council income policy\")")
    return days, since, source.strip(), _strings(path, table, "rent_kinds")


def load_policy_file(path: Path) -> PaymentsPolicy:
    """Read and check one payments.toml."""
    raw = read_toml(path)
    methods: dict[str, Method] = {}
    for entry in _entries(path, raw, "method", ("code", "name", "channels")):
        code = str(entry["code"])
        channels = entry["channels"]
        if not isinstance(channels, list) or not channels or any(c not in CHANNELS for c in channels):
            raise _problem(path, f'"{code}"', f"method {code!r}: channels must be a list of {', '.join(CHANNELS)}")
        cashup = entry.get("cashup")
        if cashup not in (None, "denominations", "total"):
            raise _problem(path, f'"{code}"', f"method {code!r}: cashup must be \"denominations\" or \"total\"")
        if "counter" in channels and cashup is None:
            raise _problem(path, f'"{code}"', f"method {code!r} is taken at the counter, so it needs a cashup way")
        methods[code] = Method(code, str(entry["name"]), tuple(channels), str(entry.get("ledger_kind", "payment")),
                               cashup)
    missing = [m for m in CONTRACT_METHODS if m not in methods or "file" not in methods[m].channels]
    if missing:
        raise EnvironmentProblem(f"{path}:1: payment files may carry {', '.join(missing)} (docs/CLI.md); "
                                 "define each as a [[method]] with \"file\" among its channels")
    form_methods: dict[str, FormMethod] = {}
    for entry in _entries(path, raw, "form_method", ("code", "name", "method", "channel")):
        code = str(entry["code"])
        method = methods.get(str(entry["method"]))
        if method is None:
            raise _problem(path, f'"{code}"', f"form_method {code!r}: method {entry['method']!r} is not a [[method]]")
        if entry["channel"] not in method.channels or entry["channel"] == "file":
            raise _problem(path, f'"{code}"', f"form_method {code!r}: {method.code} is not taken by "
                                              f"{entry['channel']!r} (see its channels)")
        form_methods[code] = FormMethod(code, str(entry["name"]), method.code, str(entry["channel"]))
    denominations = []
    for entry in _entries(path, raw, "denomination", ("pence", "name")):
        pence = entry["pence"]
        if not isinstance(pence, int) or isinstance(pence, bool) or pence <= 0:
            raise _problem(path, f"pence = {pence}", "a denomination's pence must be a positive whole number")
        denominations.append(Denomination(pence, str(entry["name"])))
    reasons = {
        str(e["code"]): ReversalReason(str(e["code"]), str(e["name"]), bool(e.get("needs_note", False)))
        for e in _entries(path, raw, "reversal_reason", ("code", "name"))
    }
    refund_methods = _strings(path, raw, "refund_methods", tuple(methods))
    if "cash" in refund_methods:
        raise _problem(path, "refund_methods", "refund_methods may not include cash (no cash refunds)")
    tills = _strings(path, raw, "tills")
    for till in tills:
        if len(till) > 16:
            raise _problem(path, f'"{till}"', f"till code {till!r} is longer than 16 characters")
    suspense_ref = raw.get("suspense_ref")
    if not isinstance(suspense_ref, str) or not 1 <= len(suspense_ref) <= 16:
        raise _problem(path, "suspense_ref", "suspense_ref must be an account ref of at most 16 characters")
    tolerance_days, tolerance_from, tolerance_source, rent_kinds = _tolerance(path, raw)
    return PaymentsPolicy(
        counter_limit_pence=_pounds(path, raw, "counter_limit"),
        import_row_limit_pence=_pounds(path, raw, "import_row_limit"),
        backdate_days=_int(path, raw, "backdate_days", 0, 366),
        refund_clearance_days=_int(path, raw, "refund_clearance_days", 0, 90),
        refund_methods=refund_methods,
        arrangement_grace_days=tolerance_days,
        frequencies=_strings(path, raw, "arrangement_frequencies", FREQUENCIES),
        tills=tills,
        suspense_ref=suspense_ref.strip().upper(),
        suspense_holder=str(raw.get("suspense_holder", "Suspense"))[:120],
        split_priority=_strings(path, raw, "split_priority", ACCOUNT_TYPES),
        methods=methods,
        form_methods=form_methods,
        denominations=tuple(sorted(denominations, key=lambda d: -d.pence)),
        reversal_reasons=reasons,
        tolerance_from=tolerance_from,
        tolerance_source=tolerance_source,
        rent_kinds=rent_kinds,
    )


@functools.cache
def load_policy(data_dir: Path) -> PaymentsPolicy:
    """The payments policy of a data folder (cached per folder)."""
    return load_policy_file(area_file(Path(data_dir), "payments", FILE_NAME))
