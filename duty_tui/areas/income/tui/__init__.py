"""areas.income.tui"""
