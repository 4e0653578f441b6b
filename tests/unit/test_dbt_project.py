"""The definitions' manifest is parsed again when what dbt parses changed since."""

import os
from pathlib import Path
from types import SimpleNamespace

from orchestration.core.dbt_project import manifest_is_current


def _project(tmp_path: Path) -> SimpleNamespace:
    for name in ("dbt_project.yml", "models/marts/fct_x.sql", "macros/m.sql", "seeds/s.csv"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
        os.utime(tmp_path / name, (1_000, 1_000))
    return SimpleNamespace(project_dir=tmp_path, manifest_path=tmp_path / "target" / "manifest.json")


def test_no_manifest_is_not_current(tmp_path):
    assert not manifest_is_current(_project(tmp_path))


def test_a_manifest_newer_than_every_input_is_current(tmp_path):
    project = _project(tmp_path)
    project.manifest_path.parent.mkdir()
    project.manifest_path.write_text("{}")
    os.utime(project.manifest_path, (2_000, 2_000))
    assert manifest_is_current(project)


def test_a_model_changed_after_the_parse_makes_it_stale(tmp_path):
    project = _project(tmp_path)
    project.manifest_path.parent.mkdir()
    project.manifest_path.write_text("{}")
    os.utime(project.manifest_path, (2_000, 2_000))
    os.utime(tmp_path / "models/marts/fct_x.sql", (3_000, 3_000))
    assert not manifest_is_current(project)
    os.utime(tmp_path / "models/marts/fct_x.sql", (1_000, 1_000))
    os.utime(tmp_path / "seeds/s.csv", (3_000, 3_000))
    assert not manifest_is_current(project)
