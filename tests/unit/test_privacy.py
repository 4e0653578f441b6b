"""Person keys: the SQL function the dbt-duckdb plugin registers computes exactly Python's
HMAC-SHA256 with the warehouse secret, and the SQL dbt compiles holds no key material."""

from __future__ import annotations

import hashlib
import hmac
import stat

import duckdb
import jinja2
import pytest
from dbt.adapters.duckdb.credentials import DuckDBCredentials
from dbt.adapters.duckdb.plugins import BasePlugin

from orchestration.core import privacy, privacy_plugin
from orchestration.core.contract import PROJECT_DIR

MACRO_FILE = PROJECT_DIR / "macros" / "privacy" / "person_key.sql"
MESSAGES = [
    "ann@acme.example",
    "",
    "crm:003C1",
    "zoë.müller@beispiel.example",
    "x" * 200,
    "o'brien@x.example",
]
SECRETS = [
    b"short",
    b"k" * 64,
    b"a much longer secret than one sha-256 block of sixty-four bytes, so it is hashed",
]


def _expected(secret: bytes, message: str) -> str:
    return hmac.new(secret, message.encode("utf-8"), hashlib.sha256).hexdigest()


def _sql_keys(con: duckdb.DuckDBPyConnection, messages: list[str | None]) -> list[str | None]:
    rows = con.execute(
        f"select {privacy.SQL_FUNCTION}(m) from unnest(?::varchar[]) with ordinality as t(m, n) order by n",
        [messages],
    ).fetchall()
    return [row[0] for row in rows]


@pytest.mark.parametrize("secret", SECRETS, ids=["short", "one-block", "longer-than-a-block"])
def test_sql_person_key_equals_python_hmac(secret: bytes):
    con = duckdb.connect()
    privacy_plugin.register_person_key(con, secret)
    expected = [_expected(secret, m) for m in MESSAGES]
    assert _sql_keys(con, MESSAGES) == expected
    assert [privacy.person_key(m, secret=secret) for m in MESSAGES] == expected
    assert privacy.person_keys(MESSAGES, secret) == expected


def test_sql_person_key_of_null_is_null():
    con = duckdb.connect()
    privacy_plugin.register_person_key(con, b"secret")
    assert _sql_keys(con, [None, "a", None]) == [None, _expected(b"secret", "a"), None]
    assert privacy.person_keys([None], b"secret") == [None]


def test_sql_person_key_over_many_rows_and_vectors():
    """More rows than one DuckDB vector (2048), so the Arrow function sees several batches."""
    con = duckdb.connect()
    privacy_plugin.register_person_key(con, b"secret")
    got = con.execute(
        f"select count(*), count(distinct {privacy.SQL_FUNCTION}('p' || i)), "
        f"max(case when i = 4999 then {privacy.SQL_FUNCTION}('p' || i) end) from range(5000) r(i)"
    ).fetchone()
    assert got == (5000, 5000, _expected(b"secret", "p4999"))


def _render(macro: str, adapter_type: str = "duckdb") -> str:
    """A dispatched engine macro as dbt renders it (plain Jinja: it uses nothing else of dbt's)."""
    env = jinja2.Environment(extensions=["jinja2.ext.do"])
    module = env.from_string(MACRO_FILE.read_text(encoding="utf-8")).module
    return getattr(module, f"{adapter_type}__{macro}")("person_identity").strip()


@pytest.mark.parametrize("adapter_type", ["duckdb", "spark"])
def test_macro_names_the_registered_function_and_holds_no_key(adapter_type):
    sql = _render("person_key", adapter_type)
    assert sql.startswith(f"{privacy.SQL_FUNCTION}(cast(person_identity as "), sql
    assert "'" not in sql and "env_var" not in MACRO_FILE.read_text(encoding="utf-8")


def _plugin(database: str, **config) -> BasePlugin:
    creds = DuckDBCredentials(path=database)
    return BasePlugin.create("orchestration.core.privacy_plugin", config=config, credentials=creds)


def test_plugin_keys_with_the_secret_beside_the_database(tmp_path, monkeypatch):
    monkeypatch.delenv(privacy.SECRET_ENV, raising=False)
    database = tmp_path / "warehouse" / "closecredit.build.duckdb"
    plugin = _plugin(str(database))
    secret = privacy.secret_file(database.parent).read_bytes().strip()
    con = duckdb.connect()
    plugin.configure_connection(con)
    assert _sql_keys(con, ["ann@acme.example"]) == [_expected(secret, "ann@acme.example")]


def test_plugin_secret_from_environment_or_named_file(tmp_path, monkeypatch):
    named = tmp_path / "elsewhere" / "key"
    named.parent.mkdir()
    named.write_text("from-file\n")
    monkeypatch.delenv(privacy.SECRET_ENV, raising=False)
    con = duckdb.connect()
    _plugin(str(tmp_path / "w.duckdb"), secret_file=str(named)).configure_connection(con)
    assert _sql_keys(con, ["a"]) == [_expected(b"from-file", "a")]
    assert not privacy.secret_file(tmp_path).exists()

    monkeypatch.setenv(privacy.SECRET_ENV, "from-env")
    con = duckdb.connect()
    _plugin(str(tmp_path / "w.duckdb"), secret_file=str(named)).configure_connection(con)
    assert _sql_keys(con, ["a"]) == [_expected(b"from-env", "a")]


def test_plugin_refuses_an_empty_secret_file(tmp_path, monkeypatch):
    monkeypatch.delenv(privacy.SECRET_ENV, raising=False)
    privacy.secret_file(tmp_path).write_text("\n")
    with pytest.raises(ValueError, match=r"\.hash_secret is empty"):
        _plugin(str(tmp_path / "closecredit.duckdb"))


def test_dbt_person_key_is_python_hmac(run_dbt, tmp_path, monkeypatch):
    """Through dbt and profiles.yml: the profile loads the plugin, the macro calls its function."""
    monkeypatch.setenv(privacy.SECRET_ENV, "dbt-secret")
    sql = " union all ".join(
        f"select {n} as n, {{{{ person_key(\"'{m.replace(chr(39), chr(39) * 2)}'\") }}}} as k"
        for n, m in enumerate(MESSAGES[:4])
    )
    result = run_dbt(["show", "--inline", f"{sql} order by n", "--limit", "10"], tmp_path / "w.duckdb")
    keys = [row[1] for row in result.result.results[0].agate_table.rows]
    assert keys == [_expected(b"dbt-secret", m) for m in MESSAGES[:4]]


def test_secret_from_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv(privacy.SECRET_ENV, "  from-env  ")
    assert privacy.load_secret(tmp_path) == b"from-env"
    assert not privacy.secret_file(tmp_path).exists()


def test_local_secret_is_generated_once_owner_only(tmp_path, monkeypatch):
    monkeypatch.delenv(privacy.SECRET_ENV, raising=False)
    first = privacy.load_secret(tmp_path / "data")
    path = privacy.secret_file(tmp_path / "data")
    assert path.exists() and len(first) == 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert privacy.load_secret(tmp_path / "data") == first
    other = privacy.load_secret(tmp_path / "elsewhere")
    assert other != first


def test_empty_secret_file_is_an_error(tmp_path, monkeypatch):
    monkeypatch.delenv(privacy.SECRET_ENV, raising=False)
    privacy.secret_file(tmp_path).write_text("\n")
    with pytest.raises(ValueError, match="empty"):
        privacy.load_secret(tmp_path)


def test_cli_prints_person_keys(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(privacy.SECRET_ENV, "s3cret")
    assert privacy.main(["ann@acme.example", "crm:1", "--data-dir", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        f"{_expected(b's3cret', 'ann@acme.example')}  ann@acme.example",
        f"{_expected(b's3cret', 'crm:1')}  crm:1",
    ]


def test_the_leak_search_finds_a_secret_in_compressed_parquet_values(tmp_path):
    """The secret tests (DuckDB and Spark nights) search Parquet files decoded: a value in a
    compressed page is not in the file's bytes."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from tests.secret_forms import files_under, leaks, secret_forms

    forms = secret_forms(b"closecredit-leak-check")
    leaked = tmp_path / "leaked" / "part-0.parquet"
    leaked.parent.mkdir()
    values = {"person_key": ["a", "prefix-" + forms["secret hex"].decode() + "-suffix"] * 50}
    pq.write_table(pa.table(values), leaked, compression="zstd", use_dictionary=False, write_statistics=False)
    assert forms["secret hex"] not in leaked.read_bytes()
    pq.write_table(pa.table({"person_key": ["a", "b"]}), tmp_path / "clean.parquet", compression="zstd")
    assert leaks([tmp_path / "clean.parquet"], forms) == []
    assert leaks(files_under(tmp_path / "leaked"), forms) == [f"{leaked}: secret hex"]
