"""Exporting a community to one archive and importing it on this or another fedicom (docs/portability.md)."""
