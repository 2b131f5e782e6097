"""Call records: one row per call in SQLite (CDRs), references from a counter, and what `ivr report` sums."""
