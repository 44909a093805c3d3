"""Payments: taking payments at the counter and by phone, receipts, refunds, arrangements to pay,
suspense, cash-up and sign-off, and payment-file imports (docs/PAYMENTS.md).

This module only describes the area (``AREA``); nothing here is imported before it is used.
"""

from duty_tui.core.registry import Area, AreaKey, PaletteScreen

_TUI = "duty_tui.areas.payments.tui"

AREA = Area(
    name="payments",
    title="Payments",
    package="duty_tui.areas.payments",
    keys=(
        AreaKey("f5", "payment", "Payment", "take-payment", "Take a payment, for the person on screen if any",
                f"{_TUI}.payment:TakePaymentScreen", "payment.take", "take payments", "Take a payment",
                takes_account=True),
    ),
    palette=(
        PaletteScreen("Cash-up", "Cash up my till at the end of the day", f"{_TUI}.cashup:CashUpScreen"),
        PaletteScreen("Cash-up sign-off", "Team leader: check and sign off the day's cash-ups",
                      f"{_TUI}.signoff:CashUpSignOffScreen"),
        PaletteScreen("Refunds", "Refund requests waiting to be authorised or rejected", f"{_TUI}.refunds:RefundsScreen"),
        PaletteScreen("Suspense", "Payments that matched no account: move them to the right one",
                      f"{_TUI}.suspense:SuspenseScreen"),
        PaletteScreen("Broken arrangements", "Arrangements to pay that have been missed, across all accounts",
                      f"{_TUI}.arrangements:ArrangementsScreen", (None,)),
        PaletteScreen("Direct debits", "Direct debit mandates: add, change, pause, cancel, and their history",
                      f"{_TUI}.direct_debits:DirectDebitsScreen"),
    ),
    cli_groups=("duty_tui.areas.payments.cli:account", "duty_tui.areas.payments.cli:payments",
                "duty_tui.areas.payments.cli:arrangements", "duty_tui.areas.payments.dd_cli:dd"),
    demo="duty_tui.areas.payments.demo:generate_payments",
    models="duty_tui.areas.payments.db.models",
    migrations=True,
    hooks=(
        ("person.account_screen", f"{_TUI}.account:AccountScreen"),
        ("audit.person_records", "duty_tui.areas.payments.services.records:person_records"),
        ("documents.person_about", "duty_tui.areas.payments.services.records:payer_of_receipt"),
        ("account.agreement_states", "duty_tui.areas.payments.services.arrangements:agreement_states"),
        ("dd.charges_changed", "duty_tui.areas.payments.services.direct_debit:mandate_amount_changed"),
        ("account.request_refund", "duty_tui.areas.payments.services.refunds:request_refund_hook"),
        ("demo.collect_direct_debits", "duty_tui.areas.payments.dd_demo_history:collect_history"),
    ),
    screen_aliases=(
        ("duty_tui.tui.screens.payment:TakePaymentScreen", f"{_TUI}.payment:TakePaymentScreen"),
    ),
)
