"""Lettings services: the register (register*.py) and letting homes."""
