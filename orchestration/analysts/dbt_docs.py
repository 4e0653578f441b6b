"""`closecredit docs`: the dbt docs as one static HTML file (`dbt docs generate --static`) — lineage,
every model and source with its column descriptions, the tests.

Generated with `--no-compile` and an empty catalog: the page carries each model's own SQL, never
compiled SQL (which would hold the values of env vars, such as key material, that macros read),
and dbt opens no warehouse, so it builds while a night runs. Column names, types and descriptions
come from the YAML files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from orchestration.core.contract import PROJECT_DIR
from orchestration.core.dbt_project import dbt_executable
from orchestration.core.settings import Settings

DOCS_FILE = "index.html"


class DocsError(Exception):
    pass


def docs_path(published: Path) -> Path:
    return Path(published).parent / "docs" / DOCS_FILE


def build_docs(published: Path, out: Path | None = None) -> Path:
    out = Path(out) if out else docs_path(published)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="closecredit-docs-") as work:
        work = Path(work)
        env = {**os.environ, "DBT_PROFILES_DIR": str(PROJECT_DIR)}
        # dbt-duckdb opens its profile's file even for docs: a throwaway one, never the build
        # database a night may be writing.
        throwaway = Settings(database=str(work / "docs.duckdb")).dbt_profile_vars()
        common = ["--project-dir", str(PROJECT_DIR), "--target-path", str(work / "target")]
        common += ["--vars", json.dumps(throwaway)]
        common += ["--log-path", str(work / "logs")]
        # --no-compile reads the manifest a parse leaves in the target path.
        for args in (["parse"], ["docs", "generate", "--static", "--no-compile", "--empty-catalog"]):
            done = subprocess.run(
                [dbt_executable(), "--quiet", *args, *common],
                env=env,
                capture_output=True,
                text=True,
                cwd=PROJECT_DIR,
            )
            if done.returncode != 0:
                break
        static = work / "target" / "static_index.html"
        if done.returncode != 0 or not static.exists():
            message = (done.stdout + done.stderr).strip().splitlines()
            raise DocsError(f"dbt docs generate failed: {message[-1] if message else 'no output'}")
        partial = out.with_name(f".{out.name}.partial")
        shutil.copyfile(static, partial)
        os.replace(partial, out)
    return out
