"""Lettings screens: the register application (application*.py) and letting homes."""
