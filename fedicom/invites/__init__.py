"""Invites: a community's invite page and QR code, invite links that let a private community's join
request in without a moderator, and the embeddable widget's threads (docs/invites.md)."""
