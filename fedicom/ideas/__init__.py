"""Ideas (issue 13, docs/ideas.md): an idea board's threads with their statuses, a roadmap and merged
duplicates, and finding the ideas of a community that say the same thing."""
