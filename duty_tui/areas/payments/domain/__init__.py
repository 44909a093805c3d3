"""areas.payments.domain"""
