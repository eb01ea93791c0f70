"""Listening beyond the community: relays, keywords and hashtags (docs/listening.md)."""
