"""Lettings rules: pure functions and the policy data they read."""
