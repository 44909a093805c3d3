"""The kit's input checks: the domain's rules as ``textual.validation`` validators on a field.

Each says, beside the field, what the services would refuse (``duty_tui.core.domain``): a date
that is not a date, an amount that is not pounds and pence, a card number typed into free text.
"""

from __future__ import annotations

from textual.validation import ValidationResult, Validator

__all__ = ["DateValidator", "MoneyValidator", "NoCardDataValidator"]


class DateValidator(Validator):
    """A date as DD/MM/YYYY or YYYY-MM-DD (domain.validators.parse_date); blank allowed when ``optional``."""

    def __init__(self, optional: bool = True) -> None:
        super().__init__()
        self.optional = optional

    def validate(self, value: str) -> ValidationResult:
        from duty_tui.core.domain.validators import parse_date

        if self.optional and not value.strip():
            return self.success()
        try:
            parse_date(value)
        except ValueError as exc:
            return self.failure(str(exc))
        return self.success()


class MoneyValidator(Validator):
    """Pounds, positive, at most two decimals, at most a limit (domain.money.parse_pounds)."""

    def __init__(self, limit_pence: int | None = None, optional: bool = True) -> None:
        super().__init__()
        self.limit_pence = limit_pence
        self.optional = optional

    def validate(self, value: str) -> ValidationResult:
        from duty_tui.core.domain.money import parse_pounds

        if self.optional and not value.strip():
            return self.success()
        try:
            parse_pounds(value, limit_pence=self.limit_pence)
        except ValueError as exc:
            return self.failure(str(exc))
        return self.success()


class NoCardDataValidator(Validator):
    """Refuses a full card number or a security code in a free-text field (PCI DSS: never stored)."""

    def __init__(self, label: str) -> None:
        super().__init__()
        self.label = label

    def validate(self, value: str) -> ValidationResult:
        from duty_tui.core.domain.card_data import check_no_card_data

        try:
            check_no_card_data(self.label, value)
        except ValueError as exc:
            return self.failure(str(exc))
        return self.success()
