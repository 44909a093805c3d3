"""The income area's pure rules."""
