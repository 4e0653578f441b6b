"""The quarantine gate, read from the dbt macro that states it (`quarantine_gate_blocks`).

The rule (when a night's quarantined rows block it) is written once, as SQL, in
`macros/staging/quarantine_gate_blocks.sql`. dbt's gate test on `stg_audit__reconciliation` calls
the macro; the raw GX suites render the same macro text here, with the run's vars, and let DuckDB
evaluate it on the night's counts. So the two gates cannot disagree, and a change to the rule or
to its vars (`max_quarantine_rate`, `quarantine_gate_min_rows`) reaches both.
"""

from __future__ import annotations

import duckdb
import jinja2

from orchestration.core.contract import PROJECT_DIR
from orchestration.quality.config import dbt_vars

GATE_MACRO_FILE = PROJECT_DIR / "macros" / "staging" / "quarantine_gate_blocks.sql"
GATE_MACRO = "quarantine_gate_blocks"
GATE_VARS = ("max_quarantine_rate", "quarantine_gate_min_rows")


class GateError(ValueError):
    pass


def quarantine_gate_sql(quarantined: str, total: str, values: dict | None = None) -> str:
    """The macro's SQL for two SQL expressions (row counts); `values` are the dbt vars (default:
    the project's)."""
    values = dbt_vars() if values is None else values

    def var(name: str):
        if name not in values:
            raise GateError(f"{GATE_MACRO_FILE.name}: dbt_project.yml has no var {name!r}")
        return values[name]

    environment = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)
    template = environment.from_string(GATE_MACRO_FILE.read_text(encoding="utf-8"), globals={"var": var})
    macro = getattr(template.module, GATE_MACRO, None)
    if macro is None:
        raise GateError(f"{GATE_MACRO_FILE.name} defines no macro {GATE_MACRO}")
    return " ".join(str(macro(quarantined, total)).split())


def gate_blocks(
    con: duckdb.DuckDBPyConnection, quarantined: int, total: int, values: dict | None = None
) -> bool:
    """Whether `quarantined` of `total` rows of one night's file block the night."""
    sql = quarantine_gate_sql(str(int(quarantined)), str(int(total)), values)
    return bool(con.execute(f"select {sql}").fetchall()[0][0])


def gate_description(values: dict | None = None) -> str:
    """Names the macro and tonight's values of its vars (the rule itself is in the macro only)."""
    values = dbt_vars() if values is None else values
    shown = ", ".join(f"{name} = {values.get(name)!r}" for name in GATE_VARS)
    return f"quarantine gate {GATE_MACRO}: {shown}"
