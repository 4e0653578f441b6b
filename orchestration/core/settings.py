"""Where things live and how the night behaves: ONE typed settings object, resolved once.

`Settings.from_environment(environ, **cli_values)` is the only reader of the `CLOSECREDIT_*`
variables and `DAGSTER_HOME` (`ENVIRONMENT` names them): the CLI calls it once with its arguments,
the Dagster code location once at load. The object is then passed on, never re-read: to Python
functions as an argument and to Dagster as the `settings` resource (its fields are the resource
config; `for_code_location()` makes each value that came from the environment a `dg.EnvVar`, so a
run launched by the daemon reads it when it starts). Nothing writes `os.environ`: dbt gets the build
database and its DuckDB settings as vars on its own command line (`dbt_profile_vars()`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

import dagster as dg
from pydantic import Field

from orchestration.core.contract import PROJECT_DIR
from orchestration.core.dbt_vars import check_overrides, project_vars

DATA_DIR = PROJECT_DIR / "data"
DEMO_DIR = DATA_DIR / "demo"
DEFAULT_EXTRACTS = DEMO_DIR / "extracts"
DEFAULT_DATABASE = DATA_DIR / "warehouse" / "closecredit.duckdb"
DEFAULT_DAGSTER_HOME = PROJECT_DIR / ".dagster_home"

# field -> the environment variable it may come from (the one list of them).
ENVIRONMENT = {
    "extracts": "CLOSECREDIT_EXTRACTS",
    "database": "CLOSECREDIT_DATABASE",
    "dagster_home": "DAGSTER_HOME",
    "target": "CLOSECREDIT_TARGET",
    "vars_json": "CLOSECREDIT_VARS",
    "lock_timeout": "CLOSECREDIT_LOCK_TIMEOUT",
    "retries": "CLOSECREDIT_RETRIES",
    "retry_delay": "CLOSECREDIT_RETRY_DELAY",
    "schedule_cron": "CLOSECREDIT_SCHEDULE_CRON",
    "schedule_timezone": "CLOSECREDIT_SCHEDULE_TIMEZONE",
    "failure_command": "CLOSECREDIT_FAILURE_COMMAND",
    "failure_webhook": "CLOSECREDIT_FAILURE_WEBHOOK",
    "memory_limit": "CLOSECREDIT_MEMORY_LIMIT",
    "threads": "CLOSECREDIT_THREADS",
    "spark_master": "CLOSECREDIT_SPARK_MASTER",
    "spark_warehouse": "CLOSECREDIT_SPARK_WAREHOUSE",
    "spark_driver_memory": "CLOSECREDIT_SPARK_DRIVER_MEMORY",
}
EXTRACTS_ENV = ENVIRONMENT["extracts"]
DATABASE_ENV = ENVIRONMENT["database"]
LOCK_TIMEOUT_ENV = ENVIRONMENT["lock_timeout"]

# What profiles.yml reads: dbt vars the dbt step passes on its command line (`dbt_profile_vars`),
# never user vars (dbt_project.yml does not declare them, so `--vars` refuses them).
DBT_PROFILE_VARS = {
    "build_database": "closecredit_build_database",
    "threads": "closecredit_threads",
    "memory_limit": "closecredit_memory_limit",
    "temp_directory": "closecredit_temp_directory",
}

DEFAULT_SCHEDULE_CRON = "0 2 * * *"
# The engines a night can build on (profiles.yml outputs of the same names).
TARGETS = ("duckdb", "spark")
# The Spark target's master unless a setting names one: every core of this machine.
DEFAULT_SPARK_MASTER = "local[*]"


def build_database_path(published: Path) -> Path:
    """The private build database beside the published file (`closecredit.build.duckdb` for
    `closecredit.duckdb`): raw, staging and intermediate tables, built incrementally night after
    night. Nobody but the running night (and a bare `dbt build`) opens it."""
    return published.with_name(f"{published.stem}.build{published.suffix or '.duckdb'}")


class SettingsError(ValueError):
    """A setting with a value that cannot be used; the message names the setting."""


class Settings(dg.ConfigurableResource):
    """closecredit's settings: the Dagster resource `settings`, and the object the CLI passes on."""

    extracts: str = Field(
        default=str(DEFAULT_EXTRACTS),
        description="Extracts root holding <YYYY-MM-DD>/<system>/<object>.csv nights.",
    )
    database: str = Field(
        default=str(DEFAULT_DATABASE),
        description="The published DuckDB file analysts open; the build database sits beside it.",
    )
    dagster_home: str = Field(default=str(DEFAULT_DAGSTER_HOME), description="The Dagster instance folder.")
    target: str = Field(
        default="duckdb",
        description="The engine the night builds on: a profiles.yml target, duckdb or spark (docs/spark.md).",
    )
    vars_json: str = Field(
        default="{}",
        description="The run's dbt var overrides as JSON (`closecredit run --vars`), for SQL and "
        "Python alike; vars that shape the graph are refused.",
    )
    lock_timeout: float = Field(
        default=600.0, description="Seconds a run waits for the warehouse lock (0 = refuse at once)."
    )
    retries: int = Field(default=3, description="Retries of a step that failed for a transient reason.")
    retry_delay: float = Field(default=2.0, description="Seconds before the first retry; doubled each time.")
    schedule_cron: str = Field(default=DEFAULT_SCHEDULE_CRON, description="When the nightly schedule fires.")
    schedule_timezone: str = Field(default="UTC", description="The schedule's time zone (IANA).")
    failure_command: str = Field(default="", description="Shell command given a failed night's record.")
    failure_webhook: str = Field(default="", description="URL a failed night's record is POSTed to.")
    memory_limit: str = Field(default="2GB", description="DuckDB memory_limit of dbt's connection.")
    threads: int = Field(default=2, description="dbt threads and DuckDB threads of dbt's connection.")
    spark_master: str = Field(
        default=DEFAULT_SPARK_MASTER,
        description="The Spark target's master: local[N] (N cores here), spark://host:7077, yarn (docs/spark.md).",
    )
    spark_warehouse: str = Field(
        default="",
        description="spark.sql.warehouse.dir of the Spark target, a local folder (the embedded metastore "
        "sits beside it); empty: <warehouse folder>/spark/warehouse.",
    )
    spark_driver_memory: str = Field(
        default="2g", description="Driver memory (JVM heap) of the Spark session."
    )

    # --- built once ---------------------------------------------------------------------------

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None, **values) -> Settings:
        """The settings of this process: each field from `values` (the CLI's arguments; None = not
        given), else its environment variable, else its default. Bad values raise SettingsError
        naming the variable."""
        environ = os.environ if environ is None else environ
        resolved = {}
        for name, variable in ENVIRONMENT.items():
            value = values.pop(name, None)
            if value is None:
                text = (environ.get(variable) or "").strip()
                if not text:
                    continue
                value = _parse(name, variable, text)
            resolved[name] = str(Path(value).resolve()) if name in _PATHS else value
        if values:
            raise TypeError(f"unknown settings: {', '.join(sorted(values))}")
        settings = cls(**resolved)
        settings.check()
        return settings

    def for_code_location(self, environ: Mapping[str, str] | None = None) -> Settings:
        """The same settings as Dagster resource config: a value that came from the environment is
        a `dg.EnvVar`, read again when a run starts (the daemon's runs see the same variables)."""
        environ = os.environ if environ is None else environ
        fields = self.model_dump()
        for name, variable in ENVIRONMENT.items():
            if not (environ.get(variable) or "").strip():
                continue
            kind = type(fields[name])
            # Dagster has string and int env vars only: a number of seconds stays as read at load.
            if kind is str:
                fields[name] = dg.EnvVar(variable)
            elif kind is int:
                fields[name] = dg.EnvVar.int(variable)
        return type(self)(**fields)

    def check(self) -> None:
        if self.lock_timeout < 0 or self.retries < 0 or self.retry_delay < 0:
            raise SettingsError("lock timeout, retries and retry delay cannot be negative")
        if self.target not in TARGETS:
            raise SettingsError(
                f"{ENVIRONMENT['target']} / --target must be one of {', '.join(TARGETS)}, not {self.target!r}"
            )
        if self.threads < 1:
            raise SettingsError(f"{ENVIRONMENT['threads']} must be at least 1, not {self.threads}")
        if not self.spark_master.strip():
            raise SettingsError(f"{ENVIRONMENT['spark_master']} / --spark-master cannot be empty")
        check_overrides(self.overrides)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self.check()

    # --- derived ------------------------------------------------------------------------------

    @property
    def extracts_root(self) -> Path:
        return Path(self.extracts).resolve()

    @property
    def dagster_home_path(self) -> Path:
        return Path(self.dagster_home).resolve()

    @property
    def published(self) -> Path:
        """The published warehouse: the file analysts open (`--database`). Only the publish step
        replaces it, whole, after a green night."""
        return Path(self.database).resolve()

    @property
    def build_database(self) -> Path:
        return build_database_path(self.published)

    @property
    def lock_file(self) -> Path:
        """The cross-process lock file of the warehouse (flock, so a killed run frees it)."""
        return self.published.with_name(f"{self.published.name}.lock")

    @property
    def summaries_dir(self) -> Path:
        """Night summaries are written beside the warehouse file they describe."""
        return self.published.parent / "summaries"

    @property
    def failures_dir(self) -> Path:
        """Failure records (one JSON file per failed run) beside the warehouse."""
        return self.published.parent / "failures"

    @property
    def logs_dir(self) -> Path:
        return self.published.parent / "logs"

    @property
    def temp_directory(self) -> Path:
        """Where dbt's DuckDB spills when a build outgrows `memory_limit`: beside the build file."""
        return self.build_database.with_name(f"{self.build_database.name}.tmp")

    @property
    def spark_warehouse_dir(self) -> Path:
        """The Spark target's tables (`spark.sql.warehouse.dir`)."""
        return Path(self.spark_warehouse or self.published.parent / "spark" / "warehouse").resolve()

    @property
    def spark_metastore_dir(self) -> Path:
        """The embedded Derby metastore of a local Spark session, beside its warehouse folder."""
        return self.spark_warehouse_dir.parent / "metastore"

    @property
    def spark_dbt_target(self) -> Path:
        """dbt's target folder of the Spark night (compiled SQL, run results)."""
        return self.published.parent / "spark" / "dbt-target"

    @property
    def ground_truth_dir(self) -> Path | None:
        """The demo's ground truth, written beside (never inside) its extracts folder, if any."""
        folder = self.extracts_root.parent / "ground_truth"
        return folder if folder.is_dir() else None

    @property
    def overrides(self) -> dict:
        """The run's dbt var overrides (`--vars`)."""
        try:
            value = json.loads(self.vars_json or "{}")
        except ValueError as exc:
            raise SettingsError(f"{ENVIRONMENT['vars_json']} is not JSON: {exc}") from exc
        if not isinstance(value, dict):
            raise SettingsError(f"dbt var overrides must be a mapping of var to value, not {value!r}")
        return value

    def project_vars(self) -> dict:
        """Every dbt var as this run sees it: dbt_project.yml's with the run's overrides on top."""
        return project_vars(self.overrides)

    def retry_policy(self) -> dg.RetryPolicy:
        """Steps that write the warehouse retry transient failures with exponential backoff; data
        failures are raised as `dg.Failure(allow_retries=False)`."""
        return dg.RetryPolicy(
            max_retries=self.retries,
            delay=self.retry_delay,
            backoff=dg.Backoff.EXPONENTIAL,
            jitter=dg.Jitter.PLUS_MINUS,
        )

    def dbt_profile_vars(self) -> dict:
        """The build database and its DuckDB settings, for profiles.yml (as dbt vars)."""
        return {
            DBT_PROFILE_VARS["build_database"]: str(self.build_database),
            DBT_PROFILE_VARS["threads"]: self.threads,
            DBT_PROFILE_VARS["memory_limit"]: self.memory_limit,
            DBT_PROFILE_VARS["temp_directory"]: str(self.temp_directory),
        }

    def dbt_cli_vars(self) -> dict:
        """What a night passes to `dbt --vars` besides as_of_date: the run's overrides and the
        profile vars."""
        return {**self.overrides, **self.dbt_profile_vars()}


_PATHS = {"extracts", "database", "dagster_home", "spark_warehouse"}
_NUMBERS = {"lock_timeout": float, "retries": int, "retry_delay": float, "threads": int}


def _parse(name: str, variable: str, text: str):
    kind = _NUMBERS.get(name)
    if kind is None:
        return text
    try:
        return kind(float(text)) if kind is int else kind(text)
    except ValueError:
        raise SettingsError(f"{variable} must be a number, not {text!r}") from None
