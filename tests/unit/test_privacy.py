"""Person keys: the SQL macro computes exactly Python's HMAC-SHA256 with the warehouse secret."""

from __future__ import annotations

import hashlib
import hmac
import os
import stat

import duckdb
import jinja2
import pytest

from orchestration.core import privacy
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


def _hmac_sql_macro():
    """The engine macro exactly as dbt renders it (plain Jinja: it uses nothing of dbt's context)."""
    env = jinja2.Environment(extensions=["jinja2.ext.do"])
    return env.from_string(MACRO_FILE.read_text(encoding="utf-8")).module.default__hmac_sha256_hex


def _sql_hmac(con: duckdb.DuckDBPyConnection, secret: bytes, message: str | None) -> str | None:
    env = privacy.dbt_env(secret=secret)
    expression = _hmac_sql_macro()("msg", env[privacy.IPAD_ENV], env[privacy.OPAD_ENV])
    row = con.execute(f"select {expression} from (select cast(? as varchar) as msg)", [message]).fetchone()
    return row[0]


@pytest.mark.parametrize("secret", SECRETS, ids=["short", "one-block", "longer-than-a-block"])
def test_sql_person_key_equals_python_hmac(secret: bytes):
    con = duckdb.connect()
    for message in MESSAGES:
        expected = hmac.new(secret, message.encode("utf-8"), hashlib.sha256).hexdigest()
        assert _sql_hmac(con, secret, message) == expected, message
        assert privacy.person_key(message, secret=secret) == expected


def test_sql_person_key_of_null_is_null():
    assert _sql_hmac(duckdb.connect(), b"secret", None) is None


def test_key_blocks_are_rfc2104_pads():
    ipad, opad = privacy.key_blocks(b"key")
    assert len(ipad) == len(opad) == 64
    assert ipad[:3] == bytes(b ^ 0x36 for b in b"key") and set(ipad[3:]) == {0x36}
    assert opad[:3] == bytes(b ^ 0x5C for b in b"key") and set(opad[3:]) == {0x5C}
    inner = hashlib.sha256(ipad + b"msg").digest()
    assert hashlib.sha256(opad + inner).hexdigest() == hmac.new(b"key", b"msg", hashlib.sha256).hexdigest()


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


def test_dbt_env_and_export(tmp_path, monkeypatch):
    monkeypatch.setenv(privacy.SECRET_ENV, "s3cret")
    monkeypatch.delenv(privacy.IPAD_ENV, raising=False)
    monkeypatch.delenv(privacy.OPAD_ENV, raising=False)
    env = privacy.export_dbt_env(tmp_path)
    assert set(env) == {privacy.IPAD_ENV, privacy.OPAD_ENV}
    assert all(len(v) == 128 and int(v, 16) >= 0 for v in env.values())
    assert os.environ[privacy.IPAD_ENV] == env[privacy.IPAD_ENV]
    assert "s3cret" not in "".join(env.values())


def test_cli_prints_shell_exports(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(privacy.SECRET_ENV, "s3cret")
    assert privacy.main(["--export", "--data-dir", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("=")[0] for line in lines] == [
        f"export {privacy.IPAD_ENV}",
        f"export {privacy.OPAD_ENV}",
    ]
