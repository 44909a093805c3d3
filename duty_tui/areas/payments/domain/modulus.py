"""UK bank account modulus checking: Vocalink's published algorithm over its weight table.

The algorithm is Vocalink's "Validating account numbers" specification: the sort code (u–z) and
account number (a–h) make 14 digits; each row of the weight table for the sort code gives an
algorithm (MOD10, MOD11, DBLAL), 14 weights and an exception code (1–14) that changes the rule.
The table is data (``data/payments/modulus/valacdos.txt`` and ``scsubtab.txt``, with their source
and date in their comment lines), so a council replaces it when Vocalink publishes a new one.

A sort code that is not in the table cannot be checked: the account is accepted (Vocalink's rule),
and the result says so. No maintained Python library does this (the one on PyPI dates from 2017
and leaves exception 14 and short account numbers half done), so this module follows the
specification, and tests/areas/payments/test_modulus.py carries its published test cases.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from duty_tui.core.config.reference import area_file, data_problem
from duty_tui.core.domain.errors import EnvironmentProblem

__all__ = ["ModulusResult", "WeightRow", "WeightTable", "check_account", "load_weight_table", "parse_weight_table",
           "normalise_account"]

_MOD = {"MOD10": 10, "MOD11": 11, "DBLAL": 10}
# Positions in the 14-digit string u v w x y z a b c d e f g h.
_A, _B, _C, _G, _H = 6, 7, 8, 12, 13
# Exception pairs where passing either check is enough (the second row is only run when the first fails).
_EITHER = {"2", "9", "10", "11", "12", "13"}


@dataclass(frozen=True, slots=True)
class WeightRow:
    """One row of the weight table: a sort code range, its algorithm, weights and exception."""

    start: int
    end: int
    algorithm: str
    weights: tuple[int, ...]
    exception: str


@dataclass(frozen=True, slots=True)
class WeightTable:
    """The weight table and the exception-5 sort code substitutions."""

    rows: tuple[WeightRow, ...]
    substitutes: dict[str, str]

    def rows_for(self, sort_code: str) -> list[WeightRow]:
        """The rows whose range holds the sort code, in table order (at most two)."""
        code = int(sort_code)
        return [row for row in self.rows if row.start <= code <= row.end]


@dataclass(frozen=True, slots=True)
class ModulusResult:
    """The outcome: valid or not, whether a check was possible, and the message for the user."""

    valid: bool
    checked: bool
    message: str


def parse_weight_table(valacdos: str, scsubtab: str, where: Path | None = None) -> WeightTable:
    """Parse Vocalink's two files (comment lines start with #); ValueError names the bad line."""
    rows: list[WeightRow] = []
    for number, line in enumerate(valacdos.splitlines(), start=1):
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        if len(parts) not in (17, 18) or parts[2] not in _MOD or not all(p.lstrip("-").isdigit() for p in parts[:2] + parts[3:17]):
            raise ValueError(f"{where or 'valacdos.txt'}:{number}: expected 'START END MOD10|MOD11|DBLAL' "
                             "then 14 weights and an optional exception code")
        rows.append(WeightRow(int(parts[0]), int(parts[1]), parts[2], tuple(int(p) for p in parts[3:17]),
                              parts[17] if len(parts) == 18 else ""))
    substitutes: dict[str, str] = {}
    for number, line in enumerate(scsubtab.splitlines(), start=1):
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        if len(parts) != 2 or not all(len(p) == 6 and p.isdigit() for p in parts):
            raise ValueError(f"scsubtab.txt:{number}: expected two six-digit sort codes")
        substitutes[parts[0]] = parts[1]
    return WeightTable(tuple(sorted(rows, key=lambda r: r.start)), substitutes)


@functools.cache
def load_weight_table(data_dir: Path) -> WeightTable:
    """The weight table of a data folder (cached); a bad file stops with its name and line."""
    folder = area_file(data_dir, "payments", "modulus")
    valacdos, scsubtab = folder / "valacdos.txt", folder / "scsubtab.txt"
    try:
        return parse_weight_table(valacdos.read_text(encoding="utf-8"), scsubtab.read_text(encoding="utf-8"), valacdos)
    except OSError:
        raise data_problem(valacdos, "", "the modulus weight table is missing; restore it from the duty-tui "
                           "release or Vocalink") from None
    except ValueError as exc:
        raise EnvironmentProblem(f"{exc}; fix it there") from None


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch not in " -")


def normalise_account(sort_code: str, account: str) -> tuple[str, str]:
    """Vocalink's rules for 6-, 7-, 9- and 10-digit account numbers: the 6-digit sort code and 8-digit account."""
    if len(account) == 10:  # Co-operative Bank: the first eight; NatWest and others: the last eight
        return sort_code, account[:8] if sort_code.startswith("08") else account[-8:]
    if len(account) == 9:  # Santander: the first digit replaces the sort code's last
        return sort_code[:5] + account[0], account[1:]
    return sort_code, account.zfill(8)


def _weights(row: WeightRow, digits: str) -> tuple[int, ...]:
    """The row's weights, changed where exceptions 2, 7 and 10 say so."""
    weights = row.weights
    if row.exception == "2" and digits[_A] != "0":
        if digits[_G] != "9":
            return (0, 0, 1, 2, 5, 3, 6, 4, 8, 7, 10, 9, 3, 1)
        return (0, 0, 0, 0, 0, 0, 0, 0, 8, 7, 10, 9, 3, 1)
    zero_u_to_b = (row.exception == "7" and digits[_G] == "9") or (
        row.exception == "10" and digits[_A:_C] in ("09", "99") and digits[_G] == "9")
    if zero_u_to_b:
        return (0,) * 8 + weights[8:]
    return weights


def _passes(row: WeightRow, sort_code: str, account: str, substitutes: dict[str, str]) -> bool:
    """One row's check on one sort code and 8-digit account number."""
    if row.exception == "5":
        sort_code = substitutes.get(sort_code, sort_code)
    elif row.exception == "8":
        sort_code = "090126"
    elif row.exception == "9":
        sort_code = "309634"
    digits = sort_code + account
    if row.exception == "3" and digits[_C] in "69":
        return True  # exception 3: c of 6 or 9 needs no double-alternate check
    if row.exception == "6" and digits[_A] in "45678" and digits[_G] == digits[_H]:
        return True  # exception 6: a foreign currency account, which cannot be checked
    weights = _weights(row, digits)
    products = [int(d) * w for d, w in zip(digits, weights, strict=True)]
    total = sum(sum(int(x) for x in str(p)) for p in products) if row.algorithm == "DBLAL" else sum(products)
    if row.exception == "1":
        total += 27
    remainder = total % _MOD[row.algorithm]
    if row.exception == "4":
        return remainder == int(digits[_G:])
    if row.exception == "5":
        if row.algorithm == "DBLAL":
            return (remainder == 0 and digits[_H] == "0") or 10 - remainder == int(digits[_H])
        if remainder == 1:
            return False
        return (remainder == 0 and digits[_G] == "0") or 11 - remainder == int(digits[_G])
    return remainder == 0


def _valid(table: WeightTable, sort_code: str, account: str, rows: list[WeightRow]) -> bool:
    """Vocalink's rules for one or two rows."""
    first = rows[0]
    if _passes(first, sort_code, account, table.substitutes):
        if len(rows) == 1 or first.exception in _EITHER:
            return True
        return _passes(rows[1], sort_code, account, table.substitutes)
    if first.exception == "14":  # Coutts: h of 0, 1 or 9 — drop it, shift right, check again
        if account[7] not in "019":
            return False
        return _passes(first, sort_code, "0" + account[:7], table.substitutes)
    if first.exception == "5" or len(rows) == 1 or first.exception not in _EITHER:
        return False
    return _passes(rows[1], sort_code, account, table.substitutes)


def check_account(table: WeightTable, sort_code: str, account: str) -> ModulusResult:
    """Check a sort code and account number; the message names the rule and the fix."""
    code, number = _digits(sort_code), _digits(account)
    if len(code) != 6 or not code.isdigit():
        return ModulusResult(False, False, "sort code: type the six digits on the payer's cheque book or statement, "
                             "e.g. 20-00-00")
    if not 6 <= len(number) <= 10 or not number.isdigit():
        return ModulusResult(False, False, "account number: type the 6 to 10 digits on the payer's statement, "
                             "e.g. 12345678")
    code, number = normalise_account(code, number)
    rows = table.rows_for(code)
    if not rows:
        return ModulusResult(True, False, f"sort code {code[:2]}-{code[2:4]}-{code[4:]} is not in the modulus table, "
                             "so its account numbers cannot be checked: confirm the details with the payer")
    if _valid(table, code, number, rows):
        return ModulusResult(True, True, "sort code and account number pass the UK modulus check")
    return ModulusResult(False, True, f"account number {number} does not pass the UK modulus check for sort code "
                         f"{code[:2]}-{code[2:4]}-{code[4:]} (Vocalink's rule for that bank): check both against the "
                         "payer's bank statement — a digit is wrong or two are swapped")
