"""Where things live: one place for paths and the environment variables that move them."""

from __future__ import annotations

import os
from pathlib import Path

from orchestration.contract import PROJECT_DIR

DATA_DIR = PROJECT_DIR / "data"
DEMO_DIR = DATA_DIR / "demo"
DEFAULT_EXTRACTS = DEMO_DIR / "extracts"
DEFAULT_DATABASE = DATA_DIR / "warehouse" / "closecredit.duckdb"

EXTRACTS_ENV = "CLOSECREDIT_EXTRACTS"
DATABASE_ENV = "CLOSECREDIT_DATABASE"


def extracts_root() -> Path:
    return Path(os.environ.get(EXTRACTS_ENV) or DEFAULT_EXTRACTS).resolve()


def database_path() -> Path:
    return Path(os.environ.get(DATABASE_ENV) or DEFAULT_DATABASE).resolve()


def summaries_dir() -> Path:
    """Night summaries are written beside the warehouse file they describe."""
    return database_path().parent / "summaries"
