"""The one dbt project of the code location, built once."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from orchestration.core.contract import PROJECT_DIR


def dbt_executable() -> str:
    """The dbt installed beside this Python (the project's venv), else the one on PATH."""
    beside = Path(sys.executable).with_name("dbt")
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


closecredit_project = DbtProject(project_dir=PROJECT_DIR, profiles_dir=PROJECT_DIR)
if not closecredit_project.manifest_path.exists():
    # A fresh clone has no manifest yet: parse once so the definitions can load, with the dbt
    # beside this Python (the preparer would look for `dbt` on PATH).
    from dagster_dbt import DbtCliResource

    DbtCliResource(project_dir=closecredit_project, dbt_executable=dbt_executable()).cli(
        ["--quiet", "parse"], target_path=closecredit_project.target_path
    ).wait()
