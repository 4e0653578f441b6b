"""Where things live and how the night behaves: one place for paths and the environment variables
that move or tune them. Everything is read when it is needed, so a test or the CLI can set the
environment first."""

from __future__ import annotations

import os
from pathlib import Path

from orchestration.core.contract import PROJECT_DIR

DATA_DIR = PROJECT_DIR / "data"
DEMO_DIR = DATA_DIR / "demo"
DEFAULT_EXTRACTS = DEMO_DIR / "extracts"
DEFAULT_DATABASE = DATA_DIR / "warehouse" / "closecredit.duckdb"
DEFAULT_DAGSTER_HOME = PROJECT_DIR / ".dagster_home"

EXTRACTS_ENV = "CLOSECREDIT_EXTRACTS"
DATABASE_ENV = "CLOSECREDIT_DATABASE"
LOCK_TIMEOUT_ENV = "CLOSECREDIT_LOCK_TIMEOUT"
SCHEDULE_CRON_ENV = "CLOSECREDIT_SCHEDULE_CRON"
SCHEDULE_TIMEZONE_ENV = "CLOSECREDIT_SCHEDULE_TIMEZONE"
FAILURE_COMMAND_ENV = "CLOSECREDIT_FAILURE_COMMAND"
FAILURE_WEBHOOK_ENV = "CLOSECREDIT_FAILURE_WEBHOOK"
RETRIES_ENV = "CLOSECREDIT_RETRIES"
RETRY_DELAY_ENV = "CLOSECREDIT_RETRY_DELAY"

DEFAULT_SCHEDULE_CRON = "0 2 * * *"
DEFAULT_SCHEDULE_TIMEZONE = "UTC"
DEFAULT_LOCK_TIMEOUT = 600.0  # seconds a run waits for another run to release the warehouse
DEFAULT_RETRIES = 3  # retries of a step that failed for a transient reason (a locked file)
DEFAULT_RETRY_DELAY = 2.0  # seconds before the first retry; doubled each time


def ground_truth_dir() -> Path | None:
    """The demo's ground truth, written beside (never inside) its extracts folder, if any."""
    folder = extracts_root().parent / "ground_truth"
    return folder if folder.is_dir() else None


def extracts_root() -> Path:
    return Path(os.environ.get(EXTRACTS_ENV) or DEFAULT_EXTRACTS).resolve()


def database_path() -> Path:
    """The published warehouse: the file analysts open (`--database`). Only the publish step
    replaces it, whole, after a green night."""
    return Path(os.environ.get(DATABASE_ENV) or DEFAULT_DATABASE).resolve()


def build_database_path(published: Path | None = None) -> Path:
    """The private build database beside the published file (`closecredit.build.duckdb` for
    `closecredit.duckdb`): raw, staging and intermediate tables, built incrementally night after
    night. Nobody but the running night opens it."""
    published = published or database_path()
    return published.with_name(f"{published.stem}.build{published.suffix or '.duckdb'}")


def lock_path(published: Path | None = None) -> Path:
    """The cross-process lock file of a warehouse (held with flock, so a killed run frees it)."""
    published = published or database_path()
    return published.with_name(f"{published.name}.lock")


def summaries_dir() -> Path:
    """Night summaries are written beside the warehouse file they describe."""
    return database_path().parent / "summaries"


def failures_dir() -> Path:
    """Failure records (one JSON file per failed run) beside the warehouse."""
    return database_path().parent / "failures"


def _float_env(name: str, default: float) -> float:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        return float(text)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number of seconds, not {text!r}") from exc


def lock_timeout() -> float:
    """Seconds a run waits for the warehouse lock before it gives up (0 = refuse at once)."""
    return max(0.0, _float_env(LOCK_TIMEOUT_ENV, DEFAULT_LOCK_TIMEOUT))


def retries() -> int:
    return max(0, int(_float_env(RETRIES_ENV, DEFAULT_RETRIES)))


def retry_delay() -> float:
    return max(0.0, _float_env(RETRY_DELAY_ENV, DEFAULT_RETRY_DELAY))


def schedule_cron() -> str:
    return os.environ.get(SCHEDULE_CRON_ENV, "").strip() or DEFAULT_SCHEDULE_CRON


def schedule_timezone() -> str:
    return os.environ.get(SCHEDULE_TIMEZONE_ENV, "").strip() or DEFAULT_SCHEDULE_TIMEZONE


def failure_command() -> str | None:
    return os.environ.get(FAILURE_COMMAND_ENV, "").strip() or None


def failure_webhook() -> str | None:
    return os.environ.get(FAILURE_WEBHOOK_ENV, "").strip() or None
