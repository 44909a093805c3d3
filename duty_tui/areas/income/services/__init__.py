"""Income's use cases: the arrears worklist, recording recovery actions and pauses (docs/INCOME.md)."""
