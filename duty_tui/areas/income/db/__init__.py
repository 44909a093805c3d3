"""Income's tables: recovery actions taken on rent accounts and pauses of recovery (docs/INCOME.md)."""
