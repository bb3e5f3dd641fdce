"""The formula checker: every formula a reader sees, read from the page and verified (README: Formulas)."""
