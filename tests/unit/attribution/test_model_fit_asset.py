"""The recommended model never reads the ground truth: the `data_driven_credits` asset, run on the
same journeys with and without `ground_truth/` beside the extracts, writes the same model fit."""

import shutil

import dagster as dg
import duckdb
import pandas as pd

from orchestration.attribution.warehouse import OUTPUT_SCHEMA
from orchestration.core.settings import Settings
from orchestration.defs.attribution import data_driven_credits
from orchestration.ops.resources import Warehouse
from tests.unit.attribution.stubs import create_engine_outputs, last_touch_credit
from tests.unit.attribution.test_model_fit import population

NIGHT = "2026-03-31"


def _warehouse(root) -> Warehouse:
    touches, journeys = population(500, seed=11)
    close = pd.Timestamp(NIGHT) - pd.to_timedelta(journeys.index % 300, unit="D")
    opportunities = journeys.assign(
        close_date=close.date, opportunity_type="New Business", is_closed=True, is_won=journeys["converted"]
    ).rename(columns={"journey_id": "opportunity_id"})
    settings = Settings(extracts=str(root / "extracts"), database=str(root / "warehouse.duckdb"))
    (root / "extracts").mkdir()
    (root / "ground_truth").mkdir()
    pd.DataFrame({"opportunity_id": journeys["journey_id"], "sales_share": 1.0}).to_csv(
        root / "ground_truth" / "deal_source_shares.csv", index=False
    )
    with duckdb.connect(str(settings.build_database)) as con:
        con.register("o", opportunities)
        con.execute("create table int_journey_opportunities as select * from o")
        con.execute(
            "create table int_credited_deals as select opportunity_id, close_date from o where is_won"
        )
        con.register("t", touches)
        con.execute(
            "create table int_journey_touches as select journey_id as opportunity_id, position as touch_position, "
            'n as touch_count, channel, "group" as source_group, is_ft as is_first_touch, '
            "is_lc as is_lead_creation_touch, is_oc as is_opportunity_creation_touch, "
            "is_cw as is_closed_won_touch, days_before_close, is_synthetic, "
            "journey_id || ':' || position as touch_id from t"
        )
        create_engine_outputs(con)
        last_touch_credit(con)
    return Warehouse(settings=settings)


def _model_fit(warehouse: Warehouse) -> pd.DataFrame:
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("extract_date", [NIGHT])
    result = dg.materialize(
        [data_driven_credits], partition_key=NIGHT, resources={"warehouse": warehouse}, instance=instance
    )
    assert result.success
    with warehouse.connect(read_only=True) as con:
        return con.execute(f"select * from {OUTPUT_SCHEMA}.model_fit order by model_order").df()


def test_the_pick_is_the_same_without_the_ground_truth(tmp_path):
    warehouse = _warehouse(tmp_path)
    assert warehouse.settings.ground_truth_dir is not None
    with_truth = _model_fit(warehouse)
    shutil.rmtree(tmp_path / "ground_truth")
    assert warehouse.settings.ground_truth_dir is None
    without = _model_fit(warehouse)
    pd.testing.assert_frame_equal(with_truth, without)
    assert with_truth["is_recommended"].sum() == 1 and with_truth["is_signal_model"].sum() == 1
    # Every model is scored but self_reported, which learns no channel credits (a note says so).
    scored = with_truth.set_index("attribution_model")["log_loss"].notna()
    assert not scored.pop("self_reported") and scored.all()
