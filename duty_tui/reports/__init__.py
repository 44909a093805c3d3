"""Returns and extracts (H-CLIC, cash-up, KPIs)."""
