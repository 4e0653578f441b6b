"""Person keys: HMAC-SHA256 with a secret, so the marts name no person yet can still join people.

The secret comes from the environment variable `CLOSECREDIT_HASH_SECRET`; without it a local secret
is generated once (`secrets.token_hex`) and kept in `<data dir>/.hash_secret` (readable by its owner
only). The secret itself never reaches dbt: this module derives the two HMAC key blocks of RFC 2104
(the key, padded to SHA-256's 64-byte block, XOR 0x36 and XOR 0x5c) and exports them as hex in
`CLOSECREDIT_HMAC_IPAD` / `CLOSECREDIT_HMAC_OPAD`, which the SQL macro `person_key()` reads with
`env_var()`. The SQL then computes sha256(opad || sha256(ipad || message)), which is exactly
`hmac.new(secret, message, sha256).hexdigest()`.

The derived blocks are as powerful as the secret: they end up in dbt's compiled SQL under `target/`
and in dbt's debug log, so treat those like the secret file (never publish them).

    python -m orchestration.core.privacy --export   # prints `export ...=...` lines for a shell
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from orchestration.core.settings import DATA_DIR

SECRET_ENV = "CLOSECREDIT_HASH_SECRET"
IPAD_ENV = "CLOSECREDIT_HMAC_IPAD"
OPAD_ENV = "CLOSECREDIT_HMAC_OPAD"
SECRET_FILE_NAME = ".hash_secret"
BLOCK_SIZE = 64  # SHA-256 block size in bytes


def secret_file(data_dir: Path | None = None) -> Path:
    return (data_dir or DATA_DIR) / SECRET_FILE_NAME


def load_secret(data_dir: Path | None = None) -> bytes:
    """The HMAC secret: `CLOSECREDIT_HASH_SECRET` if set, else the local secret file (created once)."""
    from_env = os.environ.get(SECRET_ENV, "")
    if from_env.strip():
        return from_env.strip().encode("utf-8")
    path = secret_file(data_dir)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Create exclusively, owner-only: two processes racing here keep the first secret.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(secrets.token_hex(32) + "\n")
    secret = path.read_text(encoding="utf-8").strip()
    if not secret:
        raise ValueError(f"{path} is empty: delete it to generate a new secret, or set {SECRET_ENV}")
    return secret.encode("utf-8")


def key_blocks(secret: bytes) -> tuple[bytes, bytes]:
    """(key XOR ipad, key XOR opad) for HMAC-SHA256 (RFC 2104)."""
    key = hashlib.sha256(secret).digest() if len(secret) > BLOCK_SIZE else secret
    key = key.ljust(BLOCK_SIZE, b"\x00")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def dbt_env(data_dir: Path | None = None, secret: bytes | None = None) -> dict[str, str]:
    """The environment variables dbt needs for `person_key()`."""
    ipad, opad = key_blocks(load_secret(data_dir) if secret is None else secret)
    return {IPAD_ENV: ipad.hex(), OPAD_ENV: opad.hex()}


def export_dbt_env(data_dir: Path | None = None) -> dict[str, str]:
    """Put the key blocks into this process's environment (dbt and its subprocesses inherit them)."""
    env = dbt_env(data_dir)
    os.environ.update(env)
    return env


def person_key(identity: str, secret: bytes | None = None, data_dir: Path | None = None) -> str:
    """What the SQL `person_key()` computes, in Python (for tests and look-ups by an operator)."""
    key = load_secret(data_dir) if secret is None else secret
    return hmac.new(key, identity.encode("utf-8"), hashlib.sha256).hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--export", action="store_true", help="print shell export lines for dbt")
    parser.add_argument("--data-dir", type=Path, default=None, help="where the local secret file lives")
    args = parser.parse_args(argv)
    if args.export:
        for name, value in dbt_env(args.data_dir).items():
            print(f"export {name}={value}")
        return 0
    parser.print_help()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
