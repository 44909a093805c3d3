"""areas.payments.services"""
