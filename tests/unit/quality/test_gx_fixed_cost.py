"""The cuts of GX's fixed cost per validation call (engine.py: the narrow frame, GX's metric ids
without its JSON conversion, no unexpected-index query, GX's answer on an empty batch asked once
per process) give GX's own answers: every raw suite,
on an empty night and on a night with bad rows, validated both ways and compared field by field
(seconds and run times excluded), down to the result dicts GX hands back."""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import math

import numpy as np
import pandas as pd
import pytest

from orchestration.core.contract import load_contract
from orchestration.quality import engine as gx_engine_module
from orchestration.quality.engine import RESULT_FORMAT, gx_view, plain
from orchestration.quality.run import validate_raw_object
from tests.unit.quality.quality_rows import NIGHT, clean_rows, put_history, put_night

OBJECTS = [pytest.param(obj, id=obj.qualified_name) for obj in load_contract()]


def _bad_night(obj) -> list[dict]:
    """Clean rows with a few that fail: a missing required value, an unparseable value, a
    duplicated key, a value outside an accepted set (the suite's first one)."""
    rows = clean_rows(obj, 12)
    required = [c for c in obj.columns if c.required and c.name not in obj.key]
    if required:
        rows[0][required[0].name] = None
    parsed = [c for c in obj.columns if c.type not in ("text", "currency") and c.name not in obj.key]
    if parsed:
        rows[1][parsed[0].name] = "not a value"
    for key in obj.key:
        rows[3][key] = rows[2][key]
    return rows


def _gx_path(monkeypatch) -> None:
    """GX unaltered: the whole frame, GX's own ids, GX's default result format, and GX asked on
    every empty batch."""
    from great_expectations.core.id_dict import IDDict

    monkeypatch.setattr(gx_engine_module, "REUSE_EMPTY_RESULTS", False)

    monkeypatch.setattr(gx_engine_module, "gx_view", lambda frame, configs: frame)
    monkeypatch.setattr(IDDict, "to_id", IDDict.to_id.gx_to_id)
    monkeypatch.setattr(
        gx_engine_module,
        "RESULT_FORMAT",
        {k: v for k, v in RESULT_FORMAT.items() if k != "return_unexpected_index_query"},
    )


def _answers(con, obj, monkeypatch) -> tuple:
    """The outcome (seconds excluded), GX's suite result (run times excluded) and every result
    GX returned, of one object's suite over the night."""
    calls = []
    real = gx_engine_module.GxEngine.validate

    def recording(self, frame, expectations):
        results = real(self, frame, expectations)
        calls.append([(r.success, plain(r.result), plain(r.exception_info)) for r in results])
        return results

    with monkeypatch.context() as patch:
        patch.setattr(gx_engine_module.GxEngine, "validate", recording)
        crm = {"crm_source": obj.crm_source} if obj.crm_source else None
        outcome, gx_result = validate_raw_object(con, obj, NIGHT, overrides=crm)
    shown = {k: v for k, v in dataclasses.asdict(outcome).items() if k != "seconds"}
    gx_result = dict(
        gx_result, meta={k: v for k, v in gx_result["meta"].items() if "time" not in k and k != "run_id"}
    )
    return shown, gx_result, calls


@pytest.mark.parametrize("obj", OBJECTS)
@pytest.mark.parametrize("night", ["empty", "bad rows"])
def test_every_raw_suite_gets_gx_s_own_answers(con, obj, night, monkeypatch):
    put_history(con, obj, {NIGHT - dt.timedelta(days=d): 12 for d in range(1, 4)})
    put_night(con, obj, NIGHT, [] if night == "empty" else _bad_night(obj))
    ours = _answers(con, obj, monkeypatch)
    with monkeypatch.context() as patch:
        _gx_path(patch)
        theirs = _answers(con, obj, monkeypatch)
    assert ours[2], "GX was called"
    assert ours[:2] == theirs[:2]  # the outcome, GX's suite result
    if night == "bad rows":  # (an empty batch's answers are GX's, asked once per process)
        assert ours[2] == theirs[2]  # every result GX returned
        assert any(e.get("unexpected_count") for e in ours[0]["expectations"])


CONFIGS = [
    {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "a"}},
    {
        "type": "expect_column_values_to_be_null",
        "kwargs": {
            "column": "b",
            "row_condition": {
                "type": "and",
                "conditions": [
                    {"type": "comparison", "column": {"name": "c"}, "operator": "==", "parameter": 1},
                    {"type": "nullity", "column": {"name": "d"}, "is_null": False},
                ],
            },
        },
    },
    {"type": "expect_compound_columns_to_be_unique", "kwargs": {"column_list": ["a", "e"]}},
]
FRAME = pd.DataFrame({name: [1, 2] for name in "abcdefg"})


def test_gx_gets_only_the_columns_its_expectations_read():
    assert list(gx_view(FRAME, CONFIGS).columns) == ["a", "b", "c", "d", "e"]
    assert list(gx_view(FRAME, CONFIGS).index) == list(FRAME.index)


@pytest.mark.parametrize(
    "config",
    [
        {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}},
        {"type": "expect_column_values_to_be_null", "kwargs": {"column": "a", "row_condition": "c == 1"}},
        {
            "type": "expect_column_values_to_be_null",
            "kwargs": {"column": "a", "row_condition": {"type": "x"}},
        },
        {"type": "expect_column_values_to_be_null", "kwargs": {"column": "zz"}},
    ],
    ids=["table-level", "query string", "unknown condition", "absent column"],
)
def test_an_expectation_whose_columns_are_unknown_gets_the_whole_frame(config):
    assert gx_view(FRAME, [*CONFIGS, config]) is FRAME


ID_VALUES = [
    {"column": "a", "batch_id": "x", "row_condition": None},
    {"value_set": ["EUR", "USD"], "mostly": 0.95, "parse_strings_as_datetimes": False},
    {"nested": {"b": [1, 2.5, (3, "t")], "a": {"z": None}}, "inf": math.inf, "neg": -0.0},
    {"nan": math.nan, "k": 1},
    {"numpy": np.int64(3), "f": np.float64(0.1)},
    {"when": dt.date(2026, 11, 26), "d": decimal.Decimal("1.5")},
    {"set": {"a"}, "k": 1},
    {1: "int key", "k": True},
    {"result_format": {"result_format": "SUMMARY", "partial_unexpected_count": 20}, "x": [{"y": 1}]},
]


@pytest.mark.parametrize("value", ID_VALUES, ids=range(len(ID_VALUES)))
def test_metric_ids_are_gx_s_own(gx_engine, value):
    from great_expectations.core.id_dict import IDDict

    ids = IDDict(value)
    fast = IDDict.to_id
    assert fast.closecredit_fast
    assert fast(ids) == fast.gx_to_id(ids)
    assert fast(ids, id_ignore_keys={"k"}) == fast.gx_to_id(ids, id_ignore_keys={"k"})
