"""Plumbing of a night: the warehouse resource, the lock, run records, failure records, status."""
