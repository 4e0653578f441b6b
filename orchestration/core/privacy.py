"""Person keys: HMAC-SHA256 with a secret, so the marts name no person yet can still join people.

The secret comes from the environment variable `CLOSECREDIT_HASH_SECRET`; without it a local secret
is generated once (`secrets.token_hex`) and kept in `<data dir>/.hash_secret` (readable by its owner
only), the data dir being the warehouse's folder.

No key material ever reaches SQL. dbt-duckdb loads the plugin `orchestration.core.privacy_plugin`
(profiles.yml `plugins:`), which reads the secret in Python and registers the scalar function
`closecredit_person_key(varchar) -> varchar` on every connection; the macro `person_key()` only
names that function. Compiled SQL, dbt's logs and `partial_parse.msgpack` therefore hold no secret
and nothing derived from it (tests/e2e/test_secrets.py greps a night's files for both).

    python -m orchestration.core.privacy EMAIL ...   # the person keys of identities (operators)
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import os
import secrets
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from orchestration.core.settings import DATA_DIR

SECRET_ENV = "CLOSECREDIT_HASH_SECRET"
SECRET_FILE_NAME = ".hash_secret"
BLOCK_SIZE = 64  # SHA-256's block: HMAC pads the key to it
# The SQL function the plugin registers; macros/privacy/person_key.sql names it too (a unit test
# holds the two together).
SQL_FUNCTION = "closecredit_person_key"


def secret_file(data_dir: Path | None = None) -> Path:
    return (data_dir or DATA_DIR) / SECRET_FILE_NAME


def load_secret(data_dir: Path | None = None, *, path: Path | None = None) -> bytes:
    """The HMAC secret: `CLOSECREDIT_HASH_SECRET` if set, else the local secret file (`path`, or
    `.hash_secret` in `data_dir`), created once."""
    from_env = os.environ.get(SECRET_ENV, "")
    if from_env.strip():
        return from_env.strip().encode("utf-8")
    path = path or secret_file(data_dir)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written whole to a private file, then linked into place: two processes racing here keep
        # the first secret, and neither reads a file the other has not finished writing.
        fd, staged = tempfile.mkstemp(prefix=".hash_secret-", dir=path.parent)  # owner-only
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(secrets.token_hex(32) + "\n")
            os.link(staged, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(staged)
    secret = path.read_text(encoding="utf-8").strip()
    if not secret:
        raise ValueError(f"{path} is empty: delete it to generate a new secret, or set {SECRET_ENV}")
    return secret.encode("utf-8")


def keyer(secret: bytes) -> Callable[[bytes], str]:
    """UTF-8 identity -> person key, `hmac.new(secret, identity, sha256).hexdigest()`, fast for
    many values: RFC 2104 by hand, with SHA-256 already fed the two padded key blocks, copied per
    value (hmac's own copy() costs a Python object per value; this is ~1.5x faster). The states
    stay in this closure; tests/unit/test_privacy.py holds it equal to `hmac.new`."""
    key = hashlib.sha256(secret).digest() if len(secret) > BLOCK_SIZE else secret
    key = key.ljust(BLOCK_SIZE, b"\x00")
    inner_copy = hashlib.sha256(bytes(b ^ 0x36 for b in key)).copy
    outer_copy = hashlib.sha256(bytes(b ^ 0x5C for b in key)).copy

    def person_key(identity: bytes) -> str:
        inner = inner_copy()
        inner.update(identity)
        outer = outer_copy()
        outer.update(inner.digest())
        return outer.hexdigest()

    return person_key


def person_keys(values: Iterable[str | None], secret: bytes) -> list[str | None]:
    """Person keys of many values, NULL (None) in, NULL out: what the SQL function computes."""
    key = keyer(secret)
    return [None if value is None else key(value.encode("utf-8")) for value in values]


def person_key(identity: str, secret: bytes | None = None, data_dir: Path | None = None) -> str:
    """What the SQL `person_key()` computes, in Python (for tests and look-ups by an operator)."""
    key = load_secret(data_dir) if secret is None else secret
    return hmac.new(key, identity.encode("utf-8"), hashlib.sha256).hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("identity", nargs="+", help="a normalised email, or crm:<person id>")
    parser.add_argument("--data-dir", type=Path, default=None, help="the warehouse folder (its secret)")
    args = parser.parse_args(argv)
    secret = load_secret(args.data_dir)
    for identity in args.identity:
        print(f"{person_key(identity, secret=secret)}  {identity}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
