"""Scripted calls: replay, record, coverage, random callers and load. A front end of the call layer."""
