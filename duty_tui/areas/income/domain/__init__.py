"""Income's pure rules: the law of arrears recovery (law.py, its dated periods in law_table.py) and its input, and the council's recovery policy (policy.py): the next recommended action."""
