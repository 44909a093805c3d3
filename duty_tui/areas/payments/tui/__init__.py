"""areas.payments.tui"""
