"""The source groups (seeds/mappings/source_groups.csv), the one list every model, test, suite and
summary reads. Touch groups carry touches and credit; the others carry cost only."""

from __future__ import annotations

import csv
from functools import cache

from orchestration.core.contract import PROJECT_DIR

SOURCE_GROUPS_SEED = PROJECT_DIR / "seeds" / "mappings" / "source_groups.csv"


@cache
def _rows() -> tuple[dict, ...]:
    with SOURCE_GROUPS_SEED.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for number, row in enumerate(rows, start=2):
        if not (row.get("source_group") or "").strip():
            raise ValueError(f"{SOURCE_GROUPS_SEED.name} row {number}: source_group is empty")
        if (row.get("is_touch_group") or "").strip().lower() not in {"true", "false"}:
            raise ValueError(
                f"{SOURCE_GROUPS_SEED.name} row {number}: is_touch_group must be true or false, "
                f"got {row.get('is_touch_group')!r}"
            )
    return tuple(sorted(rows, key=lambda row: int(row["display_order"])))


def source_groups(touch_groups_only: bool = True) -> tuple[str, ...]:
    """The groups in display order: the touch groups (credit goes to them), or every group."""
    return tuple(
        row["source_group"].strip()
        for row in _rows()
        if not touch_groups_only or row["is_touch_group"].strip().lower() == "true"
    )
