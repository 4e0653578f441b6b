"""A Spark night whose tables the quality suites cannot read ends in one SparkNightError line."""

from datetime import date

import pytest

from orchestration.core.settings import Settings
from orchestration.night.spark_night import SparkNightError, spark_quality
from orchestration.quality import spark_tables


def test_tables_on_remote_storage_stop_the_night_with_their_name(monkeypatch, tmp_path):
    def remote(spark, schemas):
        raise spark_tables.SparkTablesError("raw.crm__lead is stored at 's3://bucket/raw'")

    monkeypatch.setattr(spark_tables, "duckdb_over_spark", remote)
    settings = Settings(database=str(tmp_path / "closecredit.duckdb"))
    with pytest.raises(SparkNightError, match=r"raw GX suites cannot read night 2026-11-24.*s3://bucket"):
        spark_quality(None, settings, date(2026, 11, 24), "raw")
