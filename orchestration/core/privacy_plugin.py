"""The dbt-duckdb plugin that gives SQL person keys without giving it the key.

profiles.yml loads it (`plugins: - module: orchestration.core.privacy_plugin`). On every DuckDB
connection dbt opens, it registers `closecredit_person_key(varchar) -> varchar`, the HMAC-SHA256
hex of the value under the warehouse secret (NULL in, NULL out), as a vectorised (Arrow) Python
function. The secret is read here, in Python: `CLOSECREDIT_HASH_SECRET`, else the secret file,
which is `.hash_secret` beside the database dbt opens (the build database sits beside the
published file, so both share one secret) or the file named by the plugin option `secret_file`
(a path, never the secret itself: plugin options are part of dbt's profile).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection, sqltypes

from orchestration.core import privacy

IN_MEMORY = ":memory:"


def secret_path(database: str | None, secret_file: str | None = None) -> Path | None:
    """Where the secret file is: the `secret_file` option, else beside the database file (None
    for an in-memory database: then the default data folder)."""
    if secret_file:
        return Path(secret_file).expanduser().resolve()
    if not database or database.startswith(IN_MEMORY) or database.startswith("md:"):
        return None
    return privacy.secret_file(Path(database).expanduser().resolve().parent)


def register_person_key(conn: DuckDBPyConnection, secret: bytes) -> None:
    """Register `closecredit_person_key` on `conn`, keyed with `secret` (kept in this closure only)."""
    key = privacy.keyer(secret)

    def person_keys(values: pa.Array | pa.ChunkedArray) -> pa.Array:
        # As UTF-8 bytes straight from Arrow: no str round trip per value.
        as_bytes = values.cast(pa.binary()).to_pylist()
        return pa.array([None if v is None else key(v) for v in as_bytes], type=pa.string())

    conn.create_function(
        privacy.SQL_FUNCTION,
        person_keys,
        [sqltypes.VARCHAR],
        sqltypes.VARCHAR,
        type="arrow",
        side_effects=False,
    )


class Plugin(BasePlugin):
    def initialize(self, plugin_config: dict[str, Any]) -> None:
        # Read once, when dbt builds the adapter: a bad secret file fails the run before any model.
        database = self.creds.path if self.creds is not None else None
        path = secret_path(database, plugin_config.get("secret_file"))
        self._secret = privacy.load_secret(path=path) if path else privacy.load_secret()

    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        register_person_key(conn, self._secret)
