"""`closecredit export --format parquet`: every table of the published file as one file per table,
for BI tools that read Parquet (or CSV) rather than DuckDB.

Read from the published file only (read-only), into `<out>/<schema>/<table>.<ext>`. Each file is
written beside its final name and renamed into place, so a BI tool polling the folder never reads
a half-written file; `<out>/_publication.json` says which night the files hold."""

from __future__ import annotations

import json
import os
from pathlib import Path

from orchestration.analysts.shell import connect

FORMATS = {"parquet": "(format parquet, compression zstd)", "csv": "(format csv, header true)"}
SCHEMAS = ("marts", "audit")


def export(database: Path, out: Path, fmt: str = "parquet") -> dict[str, tuple[Path, int]]:
    """{"schema.table": (file, rows)} for every table of schemas marts and audit."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: one of {', '.join(FORMATS)}")
    out = Path(out)
    written: dict[str, tuple[Path, int]] = {}
    with connect(database) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = current_database() and table_schema in (select unnest(?)) "
            "order by 1, 2",
            [list(SCHEMAS)],
        ).fetchall()
        for schema, name in tables:
            target = out / schema / f"{name}.{fmt}"
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f".{target.name}.partial")
            quoted = f'"{schema}"."{name}"'
            path = str(partial).replace("'", "''")
            con.execute(f"copy (select * from {quoted}) to '{path}' {FORMATS[fmt]}")
            os.replace(partial, target)
            rows = con.execute(f"select count(*) from {quoted}").fetchone()[0]
            written[f"{schema}.{name}"] = (target, rows)
        as_of, run_id = con.execute("select max(as_of_date), max(run_id) from marts._publication").fetchone()
    (out / "_publication.json").write_text(
        json.dumps(
            {
                "source": str(Path(database).resolve()),
                "as_of_date": as_of.isoformat() if as_of else None,
                "run_id": run_id,
                "format": fmt,
                "tables": {k: {"file": str(p.relative_to(out)), "rows": r} for k, (p, r) in written.items()},
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    return written
