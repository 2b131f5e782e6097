"""Simulated callers in bulk: a simulated day on the floor, random calls (fuzz) and load at a call rate."""
