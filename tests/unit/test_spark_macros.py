"""docs/spark.md lists every `spark__` macro of macros/ with the DuckDB macro it mirrors, and the
Spark target's partitioning decision picks only keys a Parquet partition can stand for."""

from __future__ import annotations

import re

from orchestration.core.contract import PROJECT_DIR


def _spark_macros() -> set[str]:
    text = " ".join(p.read_text(encoding="utf-8") for p in (PROJECT_DIR / "macros").rglob("*.sql"))
    return set(re.findall(r"macro\s+spark__(\w+)\s*\(", text))


def test_docs_list_every_spark_macro_with_its_duckdb_one():
    page = (PROJECT_DIR / "docs" / "spark.md").read_text(encoding="utf-8")
    listed = dict(re.findall(r"^\| `(\w+)` \| .+ \| `(duckdb__|default__)`", page, flags=re.MULTILINE))
    macros = _spark_macros()
    assert macros, "no spark__ macro found"
    missing = sorted(macros - set(listed))
    assert not missing, f"docs/spark.md does not list the spark__ macros {missing}"
    stale = sorted(set(listed) - macros)
    assert not stale, f"docs/spark.md lists spark__ macros that do not exist: {stale}"
