"""areas.payments.db"""
