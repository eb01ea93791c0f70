"""Ideas: finding threads of a community that say the same thing (issue 13, docs/ideas.md)."""
