"""Rents: domain."""
