"""A tenancy's final balance at its account (docs/RENTS_TENANCY_END.md): the pure rules.

Charges run to the end date (the final week by the day); a week posted in full before the end was
known is credited back for the days after the end; housing benefit dated after the end is reversed
(it is an overpayment for the benefit service to recover); a tenant's own payment after the end
stays as credit towards the final balance. The final balance then goes: a debt to the former-tenant
account, a credit to a refund request, a transfer to another debt of the same person, or held.
"""

from __future__ import annotations

from dataclasses import dataclass

REVERSED_AFTER_END = frozenset({"housing_benefit"})
"""Credit kinds dated after the end that are reversed off the account (the benefit service recovers them)."""
CREDIT_CHOICES = ("refund", "transfer", "hold")


def credit_back(posted_pence: int, rightful_pence: int) -> int:
    """What to credit back of a posted week's charge once the tenancy ends in or before it (never negative)."""
    return max(0, posted_pence - rightful_pence)


def reversed_after_end(kind: str, amount_pence: int) -> bool:
    """True for a credit (negative amount) after the end that is reversed: housing benefit."""
    return amount_pence < 0 and kind in REVERSED_AFTER_END


@dataclass(frozen=True)
class CreditChoice:
    """What to do with a credit final balance: ``refund``, ``transfer`` (to ``account_ref``) or ``hold``."""

    how: str
    account_ref: str | None = None


def parse_credit_choice(text: str | None) -> CreditChoice:
    """'refund', 'hold' or 'transfer:ACCOUNT_REF'; ValueError naming the choices otherwise."""
    value = (text or "hold").strip()
    if value in ("refund", "hold"):
        return CreditChoice(value)
    if value.startswith("transfer:") and value[len("transfer:"):].strip():
        return CreditChoice("transfer", value[len("transfer:"):].strip().upper())
    raise ValueError(f"credit {value!r}: choose refund, hold or transfer:ACCOUNT_REF (another open account "
                     "of the same person)")


def outcome_for(final_balance_pence: int, choice: CreditChoice) -> str:
    """Where a final balance goes: ``former_tenant`` (a debt), ``refund`` / ``transfer`` / ``credit_held``
    (a credit, as chosen), ``nil`` (nothing owed either way)."""
    if final_balance_pence > 0:
        return "former_tenant"
    if final_balance_pence == 0:
        return "nil"
    return {"refund": "refund", "transfer": "transfer"}.get(choice.how, "credit_held")
