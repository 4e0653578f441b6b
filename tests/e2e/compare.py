"""The shared warehouse comparison (tests/compare_marts.py), under its former name."""

from tests.compare_marts import SKIPPED_TABLES, VOLATILE_COLUMNS, differences, snapshot

__all__ = ["SKIPPED_TABLES", "VOLATILE_COLUMNS", "differences", "snapshot"]
