"""How the payment services name things to staff: account types, ledger row kinds and receipt numbers."""

from __future__ import annotations

ACCOUNT_TYPE_NAMES = {
    "rent": "Rent", "former_tenant": "Former tenant arrears", "rechargeable_repairs": "Rechargeable repairs",
    "court_costs": "Court costs", "service_charge": "Service charge", "suspense": "Suspense",
}
KIND_NAMES = {
    "payment": "Payment", "rent_debit": "Rent", "reversal": "Reversal", "refund": "Refund",
    "housing_benefit": "Housing Benefit", "universal_credit": "Universal Credit", "adjustment": "Adjustment",
    "write_off": "Write-off", "court_costs": "Court costs", "former_tenant_debt": "Former tenant debt",
    "rechargeable_repair": "Rechargeable repair", "service_charge": "Service charge",
    "suspense_transfer": "Moved from suspense",
}


def account_type_name(code: str) -> str:
    """'former_tenant' -> 'Former tenant arrears'."""
    return ACCOUNT_TYPE_NAMES.get(code, code.replace("_", " ").capitalize())


def kind_name(code: str) -> str:
    """A ledger row kind as staff say it."""
    return KIND_NAMES.get(code, code.replace("_", " ").capitalize())


def receipt_label(office_code: str, receipt_no: int) -> str:
    """How a receipt number is printed: office code and six digits, e.g. MAIN-000123."""
    return f"{office_code}-{receipt_no:06d}"


__all__ = ["ACCOUNT_TYPE_NAMES", "KIND_NAMES", "account_type_name", "kind_name", "receipt_label"]
