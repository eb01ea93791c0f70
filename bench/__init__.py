"""Benchmarks of fedicom on loopback: fan-out, inbox ingestion, peak memory, one slow member server.

`python -m bench` runs them against a `fedicom serve` subprocess and writes docs/performance.md.
"""
