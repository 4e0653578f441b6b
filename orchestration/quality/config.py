"""Where the quality suites and their results live, and the project settings they read.

Nothing here imports Great Expectations: the Dagster definitions import this module to know which
checks exist, and that import must stay fast.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

from orchestration.core.contract import PROJECT_DIR
from orchestration.core.dbt_vars import project_vars
from orchestration.core.settings import DEFAULT_DATABASE

EXPECTATIONS_DIR = PROJECT_DIR / "expectations"
RAW_SUITES_DIR = EXPECTATIONS_DIR / "raw"
MART_SUITES_DIR = EXPECTATIONS_DIR / "marts"
PII_RULE_FILE = EXPECTATIONS_DIR / "pii.json"  # what no mart may hold, for every mart suite
ISO_CURRENCIES_SEED = PROJECT_DIR / "seeds" / "iso_currencies.csv"

# GX severities, as the suite files state them, and what each does to the night.
CRITICAL = "critical"  # a failure blocks the night's publish (blocking Dagster check, ERROR)
WARNING = "warning"  # a failure is recorded and shown, never blocks (WARN)
SEVERITIES = (CRITICAL, WARNING)

# Rows of a partition are validated in chunks of about this many rows (bounded memory).
DEFAULT_CHUNK_ROWS = 100_000
# DuckDB's own memory while streaming chunks out of the warehouse (its buffer pool counts too).
DUCKDB_MEMORY_LIMIT = "512MB"
# Nights of results the Data Docs site shows (older result files are kept, not rendered).
DOCS_HISTORY_NIGHTS = 14


def quality_dir(database: Path | None = None) -> Path:
    """Results and Data Docs live beside the warehouse file, like the night summaries."""
    return Path(database or DEFAULT_DATABASE).parent / "quality"


def data_docs_dir(database: Path | None = None) -> Path:
    """The Data Docs site a person opens in the morning: `<quality dir>/data_docs/index.html`."""
    return quality_dir(database) / "data_docs"


def results_dir(database: Path | None = None) -> Path:
    """One JSON file per suite and night: `<quality dir>/results/<YYYY-MM-DD>/<suite>.json`."""
    return quality_dir(database) / "results"


def dbt_vars(overrides: dict | None = None) -> dict:
    """The project's vars with the run's overrides (`Settings.overrides`): suites refer to them as
    `{"$PARAMETER": "var.<name>"}` so a threshold is stated once, for dbt and GX alike, and a
    run's `--vars` reach both (the quarantine gate's vars are read by its macro, see
    `orchestration.quality.gate`)."""
    return project_vars(overrides)


@cache
def iso_currencies() -> tuple[str, ...]:
    """ISO 4217 codes staging accepts (the same seed staging joins)."""
    with ISO_CURRENCIES_SEED.open(encoding="utf-8", newline="") as handle:
        return tuple(sorted(row["currency_code"].strip().upper() for row in csv.DictReader(handle)))


_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def safe_file_name(name: str) -> str:
    return _SAFE.sub("_", name)
