"""Catch-up in one build: which nights one run lands, which night it builds as of, where it stops.

With several pending nights a run lands each night in order (each with its landing record and its
raw checks), then builds once as of the last night and publishes once; the publication log gets
one row per night built. `closecredit run --one-by-one` keeps one run per night. The run command,
the schedule and the arrival sensor all plan with these functions (pure, unit-tested); the run's
nights travel in one run tag (`NIGHTS_TAG`), so every step of the Dagster run reads the same list.

A run stops at the first night whose landing or raw gate blocks (`STOPPED_TAG` names it): nothing
after it is built, and the nights before it are built and published by a run of their own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

NIGHTS_TAG = "closecredit/nights"  # "2026-11-24@<marker>,2026-11-25@<marker>": landed in this order
STOPPED_TAG = "closecredit/stopped_at"  # the night whose landing or raw gate blocked the run


def batches(nights: list[date], one_by_one: bool = False) -> list[list[date]]:
    """The runs for `nights` (oldest first): one catch-up run for all, or one run per night."""
    if not nights:
        return []
    return [[night] for night in nights] if one_by_one else [list(nights)]


def plan(pending: Iterable[date], held: Mapping[date, str] | None = None) -> tuple[list[date], str | None]:
    """(the nights one run lands, oldest first; why it stops early or None).

    `held` maps a night to why it must not run now (it failed on this very delivery, a run is
    already on it): the plan ends before the first held night, so a night is never built past a
    bad earlier one (its data would be published without its gate having passed)."""
    held = held or {}
    todo: list[date] = []
    for night in sorted(pending):
        if night in held:
            return todo, f"{night}: {held[night]}"
        todo.append(night)
    return todo, None


def nights_tag(nights: list[date], markers: Mapping[date, str | None] | None = None) -> str:
    """The `NIGHTS_TAG` value: each night with its delivery marker (its `_SUCCESS` file's mtime)."""
    markers = markers or {}
    return ",".join(f"{night.isoformat()}@{markers.get(night) or ''}" for night in nights)


def run_markers(tags: Mapping[str, str], partition: str | None) -> dict[date, str | None]:
    """{night: its delivery marker} for the nights a run lands, oldest first. A run without the
    tag (one night, or a run from before catch-up) lands its partition only."""
    value = tags.get(NIGHTS_TAG)
    if not value:
        if not partition:
            return {}
        from orchestration.ops.runs import MARKER_TAG  # one tag of one-night runs

        return {date.fromisoformat(partition): tags.get(MARKER_TAG) or None}
    nights = {}
    for part in value.split(","):
        night, _, marker = part.partition("@")
        nights[date.fromisoformat(night)] = marker or None
    return nights


def run_nights(tags: Mapping[str, str], partition: str | None) -> list[date]:
    """The nights a run lands, oldest first; the last is the night it builds as of."""
    return list(run_markers(tags, partition))


def stopped_at(tags: Mapping[str, str]) -> date | None:
    value = tags.get(STOPPED_TAG)
    return date.fromisoformat(value) if value else None


def nights_before(nights: list[date], stop: date | None) -> list[date]:
    """The nights of a stopped run that still get built: those before the night that blocked."""
    return [night for night in nights if stop is None or night < stop]
