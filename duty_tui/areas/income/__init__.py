"""Income: arrears recovery."""
