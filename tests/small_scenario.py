"""The one small scenario the cross-build equality tests share (the HubSpot shape, the Spark
target): the demo company at seed 7, scale 0.005, two nights (so deltas supersede and
soft-delete), landed and built on DuckDB as a night does (`build_night`). The session fixture
`small_scenario` (tests/conftest.py) builds its Salesforce-shaped DuckDB warehouse once."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from orchestration.demo import generate
from orchestration.night.landing import land_night
from tests.dbt_invocation import dbt_test_environment, with_profile_vars
from tests.integration.test_incremental_nights import Dbt, build_night

SEED, SCALE, NIGHTS = 7, 0.005, 2


@dataclass(frozen=True)
class Scenario:
    database: Path  # the DuckDB build database, built as of the last night
    extracts: Path
    nights: list[date]
    ground_truth: Path


class ShapeDbt(Dbt):
    """The incremental test's parse-once dbt, with the CRM shape's var in every call (it decides
    which staging models the intermediate models read, so it is part of the parse)."""

    def __init__(self, work: Path, crm_source: str):
        super().__init__(work)
        self.crm_vars = {"crm_source": crm_source}

    def _with_shape(self, args: list[str]) -> list[str]:
        args = list(args)
        if "--vars" not in args:
            return [*args, "--vars", json.dumps(self.crm_vars)]
        at = args.index("--vars") + 1
        args[at] = json.dumps({**json.loads(args[at]), **self.crm_vars})
        return args

    def __call__(self, args: list[str], database: Path) -> None:
        super().__call__(self._with_shape(args), database)

    def parse(self, database: Path) -> None:
        with dbt_test_environment():
            result = self.runner().invoke(
                [*self._with_shape(with_profile_vars(["parse"], database)), *self._paths()]
            )
        assert result.success, result.exception
        self.manifest = result.result


def build_scenario(work: Path, crm: str) -> Scenario:
    """The scenario's extracts in the `crm` shape, every night landed, one build as of the last."""
    summary = generate(work / "demo", seed=SEED, scale=SCALE, days=NIGHTS, crm=crm)
    extracts, database = Path(summary["extracts"]), work / "warehouse.duckdb"
    nights = [date.fromisoformat(n) for n in summary["nights"]]
    with duckdb.connect(str(database)) as con:
        for night in nights:
            landing = land_night(con, extracts, night, crm_source=crm)
            assert not landing.failures, [f.message for f in landing.failures]
    dbt = ShapeDbt(work, crm)
    dbt.parse(database)
    build_night(dbt, database, nights[-1])
    return Scenario(database, extracts, nights, Path(summary["ground_truth"]))
