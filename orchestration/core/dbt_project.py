"""The one dbt project of the code location, built once."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from filelock import FileLock

from orchestration.core.contract import PROJECT_DIR

# What dbt reads to parse the project: a change to any of them makes the saved manifest stale.
PARSE_INPUTS = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests/dbt")


def dbt_executable() -> str:
    """The dbt installed beside this Python (the project's venv), else the one on PATH."""
    beside = Path(sys.executable).with_name("dbt")
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


def _newest_input(project_dir: Path) -> float:
    newest = 0.0
    for name in PARSE_INPUTS:
        path = project_dir / name
        files = path.rglob("*") if path.is_dir() else [path]
        newest = max([newest, *(f.stat().st_mtime for f in files if f.is_file())])
    return newest


def manifest_is_current(project: DbtProject) -> bool:
    manifest = project.manifest_path
    return manifest.exists() and manifest.stat().st_mtime >= _newest_input(Path(project.project_dir))


def ensure_manifest(project: DbtProject) -> Path:
    """The definitions' manifest, parsed again when a model, macro, seed or setting changed since.

    Several processes load the definitions at once (test workers, a night's subprocess, `dagster
    dev`'s webserver and daemon): one parses under a file lock into a folder of its own and
    moves the manifest into place whole, so no process ever reads a half-written file.
    """
    target = Path(project.target_path)
    target.mkdir(parents=True, exist_ok=True)
    if manifest_is_current(project):
        return project.manifest_path
    with FileLock(target / ".parse.lock"):
        if not manifest_is_current(project):  # another process may have parsed meanwhile
            work = Path(tempfile.mkdtemp(prefix=".parse-", dir=target))
            saved = target / "partial_parse.msgpack"
            if saved.exists():  # dbt re-reads only the files that changed
                shutil.copy2(saved, work / saved.name)
            # The dbt beside this Python (dagster-dbt's preparer would look for `dbt` on PATH). A
            # failed parse keeps its folder: the error names the dbt.log in it.
            DbtCliResource(project_dir=project, dbt_executable=dbt_executable()).cli(
                ["--quiet", "parse"], target_path=work
            ).wait()
            for name in ("partial_parse.msgpack", "manifest.json"):
                os.replace(work / name, target / name)
            shutil.rmtree(work, ignore_errors=True)
    return project.manifest_path


closecredit_project = DbtProject(project_dir=PROJECT_DIR, profiles_dir=PROJECT_DIR)
ensure_manifest(closecredit_project)
