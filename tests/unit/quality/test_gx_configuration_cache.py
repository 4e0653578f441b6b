"""GX builds each expectation's configuration once per validation call (a night's fixed cost),
with the results of GX's own property and nothing cached outside the call."""

from __future__ import annotations

import contextlib

import pandas as pd
import pytest

from orchestration.quality import engine as gx_engine_module
from orchestration.quality.engine import plain

CONFIGS = [
    {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "a"}, "severity": "critical"},
    {
        "type": "expect_column_values_to_be_between",
        "kwargs": {"column": "b", "min_value": 0, "max_value": 5, "mostly": 0.5},
        "severity": "warning",
    },
    {
        "type": "expect_column_values_to_be_in_set",
        "kwargs": {"column": "c", "value_set": ["x"]},
        "severity": "warning",
    },
    {
        "type": "expect_column_values_to_not_be_null",
        "kwargs": {"column": "c", "mostly": 0.9},
        "severity": "warning",
    },
    {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}, "severity": "critical"},
]
FRAME = pd.DataFrame({"a": [1, None, 3, 4], "b": [1, 9, 2, 7], "c": ["x", "y", None, "x"]})


def _expectations(gx):
    return [gx.expectation(config, f"e{i}") for i, config in enumerate(CONFIGS)]


def _answers(results) -> list[tuple]:
    return [
        (
            r.expectation_config.meta["closecredit_key"],
            r.success,
            plain(r.result),
            r.expectation_config.kwargs,
        )
        for r in results
    ]


@pytest.fixture
def builds(gx_engine, monkeypatch):
    """Counts GX's camel_to_snake calls: its configuration property makes one per build."""
    from great_expectations.expectations import expectation as gx_expectation

    count = [0]
    real = gx_expectation.camel_to_snake

    def counting(name):
        count[0] += 1
        return real(name)

    monkeypatch.setattr(gx_expectation, "camel_to_snake", counting)
    return count


def test_the_cached_validation_gives_gx_s_own_results(gx_engine, monkeypatch):
    cached = _answers(gx_engine.validate(FRAME, _expectations(gx_engine)))
    monkeypatch.setattr(gx_engine_module, "_configurations_built_once", contextlib.nullcontext)
    uncached = _answers(gx_engine.validate(FRAME, _expectations(gx_engine)))
    assert cached == uncached
    assert [success for _, success, _, _ in cached] == [False, True, False, False, True]


def test_each_configuration_is_built_once_per_validation_call(gx_engine, builds, monkeypatch):
    expectations = _expectations(gx_engine)
    builds[0] = 0
    gx_engine.validate(FRAME, expectations)
    cached = builds[0]
    monkeypatch.setattr(gx_engine_module, "_configurations_built_once", contextlib.nullcontext)
    builds[0] = 0
    gx_engine.validate(FRAME, _expectations(gx_engine))
    # GX also names expectation types through camel_to_snake elsewhere; measured 65 against 563.
    assert 4 * cached < builds[0]


def test_outside_a_validation_call_the_configuration_follows_the_expectation(gx_engine):
    expectation = _expectations(gx_engine)[0]
    gx_engine.validate(FRAME, [expectation])
    expectation.column = "b"
    assert expectation.configuration.kwargs["column"] == "b"
    expectation.column = "c"
    assert expectation.configuration.kwargs["column"] == "c"
