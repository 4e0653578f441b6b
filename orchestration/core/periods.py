"""Reporting periods in Python, as the warehouse buckets them (macros/money/periods.sql): months,
and fiscal quarters starting in var('fiscal_year_start_month'), +3, +6, +9. The one Python
function for the rule; SQL has its one macro."""

from __future__ import annotations

import pandas as pd

PERIOD_TYPES = ("month", "quarter")


def period_starts(dates: pd.Series, period_type: str, fiscal_year_start_month: int = 1) -> pd.Series:
    """First day of each date's month, or of its fiscal quarter (quarters start in the months
    fiscal_year_start_month, +3, +6, +9)."""
    if not 1 <= fiscal_year_start_month <= 12:
        raise ValueError("fiscal_year_start_month must be in 1..12")
    days = pd.to_datetime(pd.Series(dates))
    month_index = days.dt.year * 12 + days.dt.month - 1
    if period_type == "quarter":
        month_index = month_index - (month_index - (fiscal_year_start_month - 1)) % 3
    elif period_type != "month":
        raise ValueError(f"unknown period_type {period_type!r}: month or quarter")
    if days.empty:
        return pd.Series([], dtype=object)
    return pd.to_datetime(
        {"year": month_index // 12, "month": month_index % 12 + 1, "day": 1}
    ).dt.date.rename(None)
