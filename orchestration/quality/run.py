"""Run the suites for one night: raw objects after landing, marts after dbt.

Each function returns `SuiteOutcome`s (see `results`), saves them beside the warehouse, and the
caller rebuilds the Data Docs once (`docs.build_data_docs`). Great Expectations is imported on
first use, by `engine`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import duckdb

from orchestration.core.contract import ContractObject, load_contract
from orchestration.core.source_groups import source_groups
from orchestration.quality import marts as mart_batches
from orchestration.quality.config import DEFAULT_CHUNK_ROWS, DUCKDB_MEMORY_LIMIT, dbt_vars
from orchestration.quality.derive import raw_expectations, sample_columns
from orchestration.quality.engine import SuiteRun, plain
from orchestration.quality.raw import file_profile, night_row_count, row_chunks
from orchestration.quality.results import SuiteOutcome, save_outcome
from orchestration.quality.suites import SuiteFile, mart_suites, raw_suites, shown_path

FILE_SAMPLE_COLUMNS = ["source_file", "row_count", "baseline_row_count", "landing_message"]


def limit_duckdb_memory(con: duckdb.DuckDBPyConnection, limit: str = DUCKDB_MEMORY_LIMIT) -> None:
    """Keep DuckDB's buffer pool small while streaming: its pages count in the process's memory."""
    con.execute(f"set memory_limit = '{limit}'")
    con.execute("set TimeZone = 'UTC'")


def resolve_parameters(value, night: date, overrides: dict | None = None):
    """`{"$PARAMETER": "var.<name>"}` in a suite file takes the dbt var's value (dbt_project.yml);
    `{"$PARAMETER": "night"}` the extract date; `{"$PARAMETER": "source_groups"}` the touch groups
    of seeds/mappings/source_groups.csv. Stated once, used by dbt and GX alike."""
    if isinstance(value, dict):
        if set(value) == {"$PARAMETER"}:
            name = value["$PARAMETER"]
            if name == "night":
                return night.isoformat()
            if name == "source_groups":
                return list(source_groups(touch_groups_only=True))
            values = dbt_vars(overrides)
            if name.startswith("var.") and name[4:] in values:
                return values[name[4:]]
            raise ValueError(f"unknown parameter {name!r} (use var.<dbt var>, night or source_groups)")
        return {k: resolve_parameters(v, night, overrides) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_parameters(v, night, overrides) for v in value]
    return value


def _prepared(configs: list[dict], night: date, overrides: dict | None = None) -> list[dict]:
    out = []
    for config in configs:
        config = dict(config)
        config["kwargs"] = resolve_parameters(dict(config.get("kwargs") or {}), night, overrides)
        if config.get("description"):
            config["description"] = _describe(config["description"], config["kwargs"])
        out.append(config)
    return out


def _describe(text: str, kwargs: dict) -> str:
    """Descriptions may quote resolved kwargs: `{min_value}`."""
    return re.sub(r"\{(\w+)\}", lambda m: str(kwargs.get(m.group(1), m.group(0))), text)


def validate_raw_object(
    con: duckdb.DuckDBPyConnection,
    obj: ContractObject,
    night: date,
    *,
    suite: SuiteFile | None = None,
    extracts_root: Path | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    overrides: dict | None = None,
) -> tuple[SuiteOutcome, dict]:
    """One object's suite over one extract night: the file profile, then the rows in chunks. An
    object of the CRM shape not in use (var `crm_source`) is skipped with that reason."""
    suite = suite or raw_suites()[obj.qualified_name]
    crm_source = dbt_vars(overrides)["crm_source"]
    if obj.crm_source not in (None, crm_source):
        outcome = SuiteOutcome(
            suite=suite.name,
            kind="raw",
            target=obj.qualified_name,
            night=night.isoformat(),
            suite_file=shown_path(suite.path),
            skipped_reason=(
                f"{obj.qualified_name} is a {obj.crm_source} object and crm_source is {crm_source}"
            ),
        )
        return outcome, None
    run = SuiteRun(suite.name, _prepared(raw_expectations(obj, suite), night, overrides), suite.batch_of)
    total = night_row_count(con, obj, night)
    profile = file_profile(
        con, obj, night, suite.baseline, extracts_root, total_rows=total, overrides=overrides
    )
    run.validate("file", profile, FILE_SAMPLE_COLUMNS)
    # The gate is decided on the whole night's counts; each chunk then lists the rows it blocks on.
    blocks = bool(profile.iloc[0]["quarantine_gate_blocks"])
    for chunk in row_chunks(con, obj, night, chunk_rows=chunk_rows, total_rows=total, gate_blocks=blocks):
        run.validate("rows", chunk.frame, sample_columns(obj, "rows"))
        del chunk
    record = {k: plain(v) for k, v in profile.iloc[0].to_dict().items()}
    outcome = SuiteOutcome(
        suite=suite.name,
        kind="raw",
        target=obj.qualified_name,
        night=night.isoformat(),
        suite_file=shown_path(suite.path),
        expectations=run.outcomes(),
        rows_validated=run.rows,
        chunks=run.chunks,
        seconds=round(run.seconds, 3),
        source_file=record.get("source_file"),
        profile=record,
    )
    return outcome, run.gx_result(night.isoformat(), f"raw.{obj.identifier}")


def validate_mart(
    con: duckdb.DuckDBPyConnection,
    suite: SuiteFile,
    night: date,
    *,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    overrides: dict | None = None,
) -> tuple[SuiteOutcome, dict | None]:
    """One mart suite; a mart that does not exist yet is skipped with that reason."""
    outcome = SuiteOutcome(
        suite=suite.name,
        kind="mart",
        target=suite.target,
        night=night.isoformat(),
        suite_file=shown_path(suite.path),
    )
    if not mart_batches.relation_exists(con, suite.relation):
        outcome.skipped_reason = f"{suite.relation} does not exist in this warehouse (not built yet)"
        return outcome, None
    rows_sql, text_columns = mart_batches.rows_select(con, suite.relation)
    configs = [*mart_batches.pii_expectations(suite, text_columns), *suite.expectations]
    run = SuiteRun(suite.name, _prepared(configs, night, overrides), suite.batch_of)
    run.validate("profile", mart_batches.profile(con, suite))
    for frame in mart_batches.chunks(con, rows_sql, suite.grain, chunk_rows):
        run.validate("rows", frame, list(suite.grain))
    for batch in suite.batches.values():
        if not run.keys(batch.name):
            continue
        absent = [
            r
            for r in batch.requires
            if not mart_batches.relation_exists(con, mart_batches.qualify(r, suite.schema))
        ]
        if absent:
            run.skip(batch.name, f"batch {batch.name} needs {', '.join(absent)}, which does not exist yet")
            continue
        try:
            sql = mart_batches.render_sql(batch.sql, suite, night, overrides)
            for frame in mart_batches.chunks(con, sql, batch.key, chunk_rows):
                run.validate(batch.name, frame, list(batch.key))
        except (duckdb.Error, mart_batches.BatchSqlError) as exc:
            first_line = str(exc).strip().splitlines()[0]
            run.fail(batch.name, f"batch {batch.name} SQL failed: {first_line}")
    outcome.expectations = run.outcomes()
    outcome.rows_validated = run.rows
    outcome.chunks = run.chunks
    outcome.seconds = round(run.seconds, 3)
    return outcome, run.gx_result(night.isoformat(), suite.relation)


def run_raw_night(
    con: duckdb.DuckDBPyConnection,
    night: date,
    *,
    objects: Iterable[ContractObject] | None = None,
    extracts_root: Path | None = None,
    database: Path | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    save: bool = True,
    overrides: dict | None = None,
) -> list[SuiteOutcome]:
    """`overrides`: the run's dbt var overrides (`Settings.overrides`)."""
    limit_duckdb_memory(con)
    outcomes = []
    for obj in load_contract() if objects is None else objects:
        outcome, gx_result = validate_raw_object(
            con, obj, night, extracts_root=extracts_root, chunk_rows=chunk_rows, overrides=overrides
        )
        if save:
            save_outcome(outcome, gx_result, database)
        outcomes.append(outcome)
    return outcomes


def run_mart_night(
    con: duckdb.DuckDBPyConnection,
    night: date,
    *,
    marts: Iterable[str] | None = None,
    database: Path | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    save: bool = True,
    overrides: dict | None = None,
) -> list[SuiteOutcome]:
    limit_duckdb_memory(con)
    suites = mart_suites()
    outcomes = []
    for name in suites if marts is None else marts:
        outcome, gx_result = validate_mart(
            con, suites[name], night, chunk_rows=chunk_rows, overrides=overrides
        )
        if save:
            save_outcome(outcome, gx_result, database)
        outcomes.append(outcome)
    return outcomes
