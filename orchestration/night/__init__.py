"""The night's steps in order: land the extracts, (dbt builds and the engine run as Dagster
assets), publish the marts, write the summary; `run` drives the pending nights."""
