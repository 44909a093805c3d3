"""areas.trust.services"""
