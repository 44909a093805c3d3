"""The synthetic demo office behind ``duty-tui demo``: realistic, deterministic, bulk-loaded."""
