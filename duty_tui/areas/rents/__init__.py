"""Rents: the rent account underneath (docs/RENTS.md) — the rent year and its calendar, charges, the
weekly debit run, tenancy changes at the account, the rent review and its notices, direct debits,
reconciliation and interchange with an existing rents system (issue 15). Being built in steps.

This module only describes the area (``AREA``); nothing here is imported before it is used.
"""

from duty_tui.core.registry import Area, PaletteScreen

AREA = Area(
    name="rents",
    title="Rents (the rent account)",
    package="duty_tui.areas.rents",
    palette=(
        PaletteScreen("Rent debit run", "Preview and post the weekly rent debit through a date (rents.manage)",
                      "duty_tui.areas.rents.tui.debit:RentDebitScreen"),
        PaletteScreen("Rent reconciliation", "A period's rent by rent group: opening + charges − payments − "
                      "housing benefit − credits ± adjustments = closing, and the ledger rows behind each figure",
                      "duty_tui.areas.rents.tui.reconciliation:RentReconciliationScreen"),
        PaletteScreen("End a tenancy", "A tenancy's final balance at its account: charges to the end date, credits "
                      "after it, the balance moved (rents.manage)", "duty_tui.areas.rents.tui.tenancy_end:TenancyEndScreen"),
        PaletteScreen("Credit transfers", "Authorise or reject a credit moved to another debt of the same person "
                      "(a second person decides)", "duty_tui.areas.rents.tui.tenancy_end:CreditTransfersScreen"),
        PaletteScreen("Rent review", "Model a rent increase for a rent year, see its effect, apply it and open "
                      "its notices of variation (rents.manage)", "duty_tui.areas.rents.tui.review:RentReviewScreen"),
        PaletteScreen("Rent charges", "A tenancy's charges in force, weekly total and history; set, change or end "
                      "a charge from a date (rents.manage)", "duty_tui.areas.rents.tui.charges:RentChargesScreen"),
    ),
    cli_groups=("duty_tui.areas.rents.cli:rent",),
    models="duty_tui.areas.rents.db.models",
    migrations=True,
    hooks=(("account.weekly_charges", "duty_tui.areas.rents.services.charges:weekly_charges_for_accounts"),
           ("demo.post_rent", "duty_tui.areas.rents.demo:post_rent"),
           ("statement.rent_year_notes", "duty_tui.areas.rents.domain.statement_notes:rent_year_notes"),
           ("rents.void_loss_weeks", "duty_tui.areas.rents.services.void_weeks:void_loss_weeks")),
    reports=(("rents", "duty_tui.areas.rents.cli_report:report_rents"),),
)
