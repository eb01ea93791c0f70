"""Listening to a community: what is counted as activity arrives, and the figures staff read."""
