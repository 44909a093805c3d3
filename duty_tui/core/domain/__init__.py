"""Pure rules: no database, no Textual, no clock reads (the date is an argument)."""
