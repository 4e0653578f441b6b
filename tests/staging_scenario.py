"""A two-night extract that exercises every staging rule on every contract object (test data).

`scenario()` returns, per object, every raw row of both nights with the status staging must give
it. Rows are built from the contract (tests.contract_rows), so new objects and columns are covered:

night 1                                         night 2 (every row also has an extra column)
  offset      timestamps with +01:00 offset       new_version   a later version of `old_version`
  no_offset   timestamps without offset           valid         a new key
  old_version superseded in night 2               dirty rows    the other half of them
  money       money columns with cents (if any)
  dirty rows  half of dirty_variants(obj)

CRM (delta) adds: `deleted_before` / `soft_delete` (is_deleted = true in night 2, newer modstamp);
`stale_winner` / `stale_late` (night 2 re-sends an older modstamp: night 1 keeps winning);
`tie_old` / `tie_new` (same modstamp: the later extract wins).
Append objects (web.event, referral.click) use `old_version`/`new_version` as `first_arrival` /
`resent` (night 2 re-sends it: a duplicate) and add a duplicate within night 2.
Upsert, snapshot and restatable objects add two versions of a key within night 2 (the later row
wins).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache

from orchestration.core.contract import Column, ContractObject, load_contract
from tests.contract_rows import (
    TIMESTAMP_WITHOUT_OFFSET,
    DirtyVariant,
    dirty_variants,
    valid_row,
)

NIGHT_1 = date(2026, 11, 25)
NIGHT_2 = date(2026, 11, 26)
NIGHTS = (NIGHT_1, NIGHT_2)
EXTRA_COLUMN = "x_exporter_note"
STATUSES = ("staged", "superseded", "soft_deleted", "duplicate", "quarantined")
MONEY_TEXT = "1234567.89"
MONEY_VALUE = 1234567.89

MODSTAMP_EARLY = "2026-11-24T10:00:00Z"
MODSTAMP_LATE = "2026-11-25T10:00:00Z"
MODSTAMP_LATEST = "2026-11-25T12:00:00Z"
MODSTAMP_OLDEST = "2026-11-24T08:00:00Z"


@dataclass(frozen=True)
class ScenarioRow:
    night: date
    row_number: int  # 1-based data row of the night's file
    role: str
    n: int  # valid_row(obj, n): rows with the same n share a key
    values: dict[str, str] = field(repr=False)
    status: str  # the status staging must give it as of night 2
    dirty: DirtyVariant | None = None

    @property
    def location(self) -> tuple[date, int]:
        return (self.night, self.row_number)


def marker_column(obj: ContractObject) -> Column:
    """A non-key column whose value tells two versions of a key apart."""
    for kind in ("text", "number"):
        for col in obj.columns:
            if col.name not in obj.key and col.type == kind and not col.required_if:
                return col
    raise AssertionError(f"{obj.qualified_name} has no column to mark versions with")


def marker_value(obj: ContractObject, version: int) -> str:
    return f"version {version}" if marker_column(obj).type == "text" else str(version)


def _timestamp_columns(obj: ContractObject) -> list[str]:
    return [c.name for c in obj.columns if c.type == "timestamp"]


@cache
def scenario() -> dict[str, tuple[ScenarioRow, ...]]:
    return {obj.qualified_name: _object_scenario(obj) for obj in load_contract()}


def _object_scenario(obj: ContractObject) -> tuple[ScenarioRow, ...]:
    delta, append = obj.semantics == "delta", obj.semantics == "append"
    marker = marker_column(obj).name
    planned: dict[date, list[tuple[str, int, dict[str, str], str, DirtyVariant | None]]] = {
        NIGHT_1: [],
        NIGHT_2: [],
    }

    def add(night, role, n, status, version=1, dirty=None, **changes):
        values = valid_row(obj, n)
        values[marker] = marker_value(obj, version)
        values.update(changes)
        if dirty is not None:
            values.update(dirty.changes)
        if night == NIGHT_2:
            values[EXTRA_COLUMN] = f"note {role}"
        planned[night].append((role, n, values, status, dirty))

    add(NIGHT_1, "offset", 1, "staged")
    add(NIGHT_1, "no_offset", 2, "staged", **dict.fromkeys(_timestamp_columns(obj), TIMESTAMP_WITHOUT_OFFSET))
    if append:
        add(NIGHT_1, "first_arrival", 3, "staged")
        add(NIGHT_2, "resent", 3, "duplicate")
        add(NIGHT_2, "twice_a", 8, "staged")
        add(NIGHT_2, "twice_b", 8, "duplicate")
    elif delta:
        modified = obj.modified_column
        add(NIGHT_1, "old_version", 3, "superseded", **{modified: MODSTAMP_EARLY})
        add(NIGHT_2, "new_version", 3, "staged", version=2, **{modified: MODSTAMP_LATE})
        add(NIGHT_1, "deleted_before", 4, "superseded", **{modified: MODSTAMP_EARLY})
        add(
            NIGHT_2,
            "soft_delete",
            4,
            "soft_deleted",
            version=2,
            **{modified: MODSTAMP_LATE},
            is_deleted="true",
        )
        add(NIGHT_1, "stale_winner", 5, "staged", **{modified: MODSTAMP_LATEST})
        add(NIGHT_2, "stale_late", 5, "superseded", version=2, **{modified: MODSTAMP_OLDEST})
        add(NIGHT_1, "tie_old", 6, "superseded", **{modified: MODSTAMP_EARLY})
        add(NIGHT_2, "tie_new", 6, "staged", version=2, **{modified: MODSTAMP_EARLY})
    else:
        add(NIGHT_1, "old_version", 3, "superseded")
        add(NIGHT_2, "new_version", 3, "staged", version=2)
        add(NIGHT_2, "same_night_old", 8, "superseded")
        add(NIGHT_2, "same_night_new", 8, "staged", version=2)
    money = [c.name for c in obj.columns if c.currency_column]
    if money:
        add(NIGHT_1, "money", 7, "staged", **dict.fromkeys(money, MONEY_TEXT))
    add(NIGHT_2, "valid", 9, "staged")
    for i, variant in enumerate(dirty_variants(obj)):
        add(NIGHTS[i % 2], f"dirty {variant.id}", 10 + i, "quarantined", dirty=variant)

    rows = []
    for night, planned_rows in planned.items():
        for row_number, (role, n, values, status, dirty) in enumerate(planned_rows, start=1):
            rows.append(ScenarioRow(night, row_number, role, n, values, status, dirty))
    return tuple(rows)


def rows_by_night(night: date) -> dict[str, list[dict[str, str]]]:
    """What `write_night` needs for one night of the scenario."""
    return {name: [r.values for r in rows if r.night == night] for name, rows in scenario().items()}


def role(obj: ContractObject, name: str) -> ScenarioRow:
    (row,) = [r for r in scenario()[obj.qualified_name] if r.role == name]
    return row


def dirty_rows() -> list[tuple[ContractObject, ScenarioRow]]:
    return [(obj, r) for obj in load_contract() for r in scenario()[obj.qualified_name] if r.dirty]


def expected_counts(obj: ContractObject, night: date) -> dict[str, int]:
    rows = [r for r in scenario()[obj.qualified_name] if r.night == night]
    return {"landed": len(rows), **{s: sum(r.status == s for r in rows) for s in STATUSES}}
