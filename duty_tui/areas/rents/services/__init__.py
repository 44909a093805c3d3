"""Rents: services."""
