"""Benchmarks for ivr; run them with `make bench` (python -m bench)."""
