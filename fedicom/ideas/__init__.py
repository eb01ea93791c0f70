"""The idea board: what an ideas community adds to its threads (statuses, a roadmap, merged duplicates)."""
