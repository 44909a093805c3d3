"""Use cases: each is one transaction, checks permission, and audits in the same transaction."""
