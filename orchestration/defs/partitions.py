import dagster as dg

# One partition per nightly extract folder (its date); the run command, the schedule and the
# sensor add a partition when a folder becomes complete.
extract_dates = dg.DynamicPartitionsDefinition(name="extract_date")

# Every step that writes the DuckDB build database is in this pool; the instance limits it to one
# step at a time (DAGSTER_HOME/dagster.yaml, written by closecredit: `concurrency.pools`).
WAREHOUSE_POOL = "warehouse"
