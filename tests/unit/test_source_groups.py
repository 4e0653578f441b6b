"""The source groups are read from their one seed, by Python and by the suites alike."""

from __future__ import annotations

import csv
from datetime import date

import pytest

from orchestration.core import source_groups as groups_module
from orchestration.core.source_groups import SOURCE_GROUPS_SEED, source_groups
from orchestration.quality.run import resolve_parameters


def _seed_rows() -> list[dict]:
    with SOURCE_GROUPS_SEED.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_groups_come_from_the_seed_in_display_order():
    rows = sorted(_seed_rows(), key=lambda r: int(r["display_order"]))
    assert source_groups(touch_groups_only=False) == tuple(r["source_group"] for r in rows)
    assert source_groups() == tuple(r["source_group"] for r in rows if r["is_touch_group"] == "true")
    assert set(source_groups()) < set(source_groups(touch_groups_only=False))


def test_suites_take_the_groups_and_the_model_list_as_parameters():
    night = date(2026, 3, 16)
    assert resolve_parameters({"$PARAMETER": "source_groups"}, night) == list(source_groups())
    models = resolve_parameters({"value_set": {"$PARAMETER": "var.attribution_models"}}, night)["value_set"]
    assert models[0] == "legacy_handoff" and "markov" in models


def test_a_bad_seed_row_is_named(tmp_path, monkeypatch):
    seed = tmp_path / "source_groups.csv"
    seed.write_text(
        "source_group,is_touch_group,display_order,description\nsales,yes,1,Sales\n", encoding="utf-8"
    )
    monkeypatch.setattr(groups_module, "SOURCE_GROUPS_SEED", seed)
    groups_module._rows.cache_clear()
    try:
        with pytest.raises(
            ValueError, match=r"source_groups.csv row 2: is_touch_group must be true or false"
        ):
            source_groups()
    finally:
        groups_module._rows.cache_clear()
