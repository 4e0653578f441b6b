"""Every model has a YAML entry, and every mart has an enforced contract with a data_type on every
column (the folder default in dbt_project.yml; no mart may switch it off)."""

from __future__ import annotations

from pathlib import Path

import yaml

from orchestration.core.contract import PROJECT_DIR

MODELS_DIR = PROJECT_DIR / "models"
MARTS_DIR = MODELS_DIR / "marts"


def _entries(folder: Path) -> dict[str, tuple[Path, dict]]:
    entries = {}
    for path in sorted(folder.rglob("*.yml")):
        for model in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models") or []:
            assert model["name"] not in entries, (
                f"{model['name']} has two YAML entries: {entries[model['name']][0]}, {path}"
            )
            entries[model["name"]] = (path, model)
    return entries


def test_every_model_has_a_yaml_entry_with_a_description():
    entries = _entries(MODELS_DIR)
    missing = sorted(
        str(p.relative_to(PROJECT_DIR)) for p in MODELS_DIR.rglob("*.sql") if p.stem not in entries
    )
    assert not missing, f"models without a YAML entry: {missing}"
    undescribed = sorted(
        name for name, (_, model) in entries.items() if not (model.get("description") or "").strip()
    )
    assert not undescribed, f"models without a description: {undescribed}"
    stray = sorted(name for name in entries if not list(MODELS_DIR.rglob(f"{name}.sql")))
    assert not stray, f"YAML entries without a model: {stray}"


def test_marts_enforce_their_contract_by_folder_default():
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    marts = project["models"]["closecredit"]["marts"]
    assert marts.get("+contract") == {"enforced": True}


def test_every_mart_column_has_a_data_type_and_no_mart_opts_out():
    entries = _entries(MARTS_DIR)
    assert {p.stem for p in MARTS_DIR.rglob("*.sql")} <= set(entries)
    for name, (path, model) in entries.items():
        contract = (model.get("config") or {}).get("contract", {"enforced": True})
        assert contract.get("enforced", True), f"{name} ({path.name}) switches its contract off"
        columns = model.get("columns") or []
        assert columns, f"{name} ({path.name}) declares no columns"
        untyped = [c["name"] for c in columns if not c.get("data_type")]
        assert not untyped, f"{name} ({path.name}): columns without data_type: {untyped}"
