"""orchestration/core/dbt_args.py: the night becomes dbt arguments (pure, no dbt)."""

from __future__ import annotations

import json
from datetime import date

import pytest
import yaml

from orchestration.core.dbt_args import (
    AS_OF_DATE_ENV,
    GATE_FROM_ENV,
    build_args,
    dbt_vars,
    night_build_args,
    night_env,
)

NIGHT = date(2026, 11, 26)


def _vars_of(args: list[str]) -> dict:
    assert args.count("--vars") == 1, args
    return json.loads(args[args.index("--vars") + 1])


def test_dbt_vars_carries_the_night_as_an_iso_date():
    assert dbt_vars(NIGHT) == {"as_of_date": "2026-11-26"}


def test_dbt_vars_without_a_night_is_every_landed_extract():
    assert dbt_vars(None) == {"as_of_date": None}


def test_build_args_is_a_build_with_the_nights_vars():
    args = build_args(NIGHT)
    assert args[0] == "build"
    assert _vars_of(args) == dbt_vars(NIGHT)
    assert "--select" not in args
    assert "--full-refresh" not in args


def test_build_args_vars_are_valid_yaml_for_dbt():
    # dbt parses --vars as YAML; JSON must read back the same, null included.
    for night in (NIGHT, None):
        args = build_args(night)
        assert yaml.safe_load(args[args.index("--vars") + 1]) == dbt_vars(night)


def test_build_args_vars_are_stable_text():
    # Same night, same text: partial parsing and logs do not churn on key order.
    assert build_args(NIGHT) == build_args(NIGHT)
    text = build_args(NIGHT)[2]
    assert text == json.dumps(json.loads(text), sort_keys=True)


@pytest.mark.parametrize("select", ["staging", "+staging", "tag:nightly path:models/marts"])
def test_build_args_select_is_passed_as_one_argument(select):
    args = build_args(NIGHT, select=select)
    assert args[args.index("--select") + 1] == select
    assert args.count("--select") == 1


@pytest.mark.parametrize("select", [None, ""])
def test_build_args_without_select_builds_everything(select):
    assert "--select" not in build_args(NIGHT, select=select)


def test_build_args_full_refresh():
    args = build_args(NIGHT, select="staging", full_refresh=True)
    assert args[-1] == "--full-refresh"
    assert args.count("--full-refresh") == 1
    assert _vars_of(args) == {"as_of_date": "2026-11-26"}
    assert args[args.index("--select") + 1] == "staging"


def test_build_args_without_a_night_passes_null():
    assert _vars_of(build_args(None)) == {"as_of_date": None}


def test_night_build_args_leave_dbt_unit_tests_to_make_test():
    args = night_build_args()
    assert args[0] == "build"
    assert args[args.index("--exclude") + 1] == "resource_type:unit_test"
    assert args.count("--exclude") == 1
    assert "--select" not in args and "--full-refresh" not in args


def test_night_build_args_keep_the_saved_parse_between_nights():
    # --vars are part of dbt's parse state: the night's date must not be one of them.
    assert "--vars" not in night_build_args()
    assert night_env(NIGHT) == {AS_OF_DATE_ENV: "2026-11-26", GATE_FROM_ENV: "2026-11-26"}


def test_a_catch_up_build_gates_every_night_from_the_first_it_landed():
    assert night_env(NIGHT, date(2026, 11, 22)) == {AS_OF_DATE_ENV: "2026-11-26", GATE_FROM_ENV: "2026-11-22"}


def test_night_build_args_full_refresh_rebuilds_the_incremental_models():
    args = night_build_args(full_refresh=True)
    assert args[-1] == "--full-refresh"
    assert args[args.index("--exclude") + 1] == "resource_type:unit_test"


def test_build_args_keeps_unit_tests_unless_told():
    assert "--exclude" not in build_args(NIGHT)


def test_build_args_unions_an_exclude_with_the_unit_tests_in_one_flag():
    # dbt keeps only the last --exclude: both must be in one argument, space-separated.
    args = build_args(NIGHT, exclude="source:attribution+", unit_tests=False)
    assert args.count("--exclude") == 1
    assert args[args.index("--exclude") + 1].split() == ["source:attribution+", "resource_type:unit_test"]
