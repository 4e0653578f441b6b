"""The person-key secret in every form a leak would take: the secret, its hex, and the RFC 2104
key blocks derived from it (raw and hex), which are as powerful as the secret itself. The secret
tests of the DuckDB nights, the Spark night and the dbt docs look for all of them, in files, with
`leaks` (one check for every place a night writes)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path

BLOCK_SIZE = 64  # SHA-256's block, the size of HMAC's key pads


def secret_forms(secret: bytes) -> dict[str, bytes]:
    key = (hashlib.sha256(secret).digest() if len(secret) > BLOCK_SIZE else secret).ljust(BLOCK_SIZE, b"\0")
    ipad, opad = bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)
    forms = {"secret": secret, "secret hex": secret.hex().encode()}
    for name, block in (("ipad", ipad), ("opad", opad)):
        forms[name] = block
        forms[f"{name} hex"] = block.hex().encode()
        forms[f"{name} HEX"] = block.hex().upper().encode()
    return forms


def files_under(folder: Path, since: float = 0.0) -> Iterator[Path]:
    """Every regular file under `folder` changed since `since` (a timestamp)."""
    if folder.is_dir():
        for path in folder.rglob("*"):
            if path.is_file() and not path.is_symlink() and path.stat().st_mtime >= since:
                yield path


def _contents(path: Path) -> Iterator[bytes]:
    """The file's bytes (a Parquet footer's metadata included); for a Parquet file also its values
    decoded: its pages are compressed, so a secret in a value need not appear in the bytes."""
    yield path.read_bytes()
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        for column in pq.read_table(path).columns:
            yield "\n".join(str(value) for value in column.to_pylist()).encode()


def leaks(paths: Iterable[Path], forms: dict[str, bytes]) -> list[str]:
    """`<file>: <form>` for every form of the secret found in a file."""
    found = []
    for path in paths:
        for content in _contents(path):
            found += [f"{path}: {name}" for name, form in forms.items() if form in content]
    return sorted(set(found))
