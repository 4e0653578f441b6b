"""One writer per warehouse, across processes: an flock on `<published>.lock` beside the database.

The kernel releases an flock when its process dies, however it dies (SIGKILL included), so a
killed run never leaves a stale lock behind: the file stays, the lock does not. The lock is
re-entrant within a process (the CLI holds it for all its nights; the Dagster resource of each run
takes it again), and the holder writes who it is into the file so a waiting run can say whom it is
waiting for.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


class WarehouseBusy(Exception):
    """Another process holds the warehouse lock and did not release it in time."""


@dataclass
class _Held:
    fd: int
    depth: int


_held: dict[str, _Held] = {}
_guard = threading.Lock()


def holder(path: Path) -> dict:
    """What the current (or last) holder wrote into the lock file; {} when unknown."""
    try:
        return json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}


def describe_holder(path: Path) -> str:
    info = holder(path)
    if not info:
        return "another process"
    parts = [f"pid {info.get('pid')} on {info.get('host')}"]
    if info.get("purpose"):
        parts.append(str(info["purpose"]))
    if info.get("since"):
        parts.append(f"since {info['since']}")
    return ", ".join(parts)


def is_locked(path: Path) -> bool:
    """Whether some process (this one included) holds the lock right now."""
    key = str(path)
    if key in _held:
        return True
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


@contextmanager
def warehouse_lock(
    path: Path,
    *,
    timeout: float,
    purpose: str = "",
    poll: float = 0.5,
    on_wait=None,
) -> Iterator[None]:
    """Hold the lock for the block. Waits up to `timeout` seconds (0 = do not wait), calling
    `on_wait(message)` once when it has to wait, then raises WarehouseBusy naming the holder."""
    path = Path(path)
    key = str(path)
    with _guard:
        held = _held.get(key)
        if held:
            held.depth += 1
    if held:
        try:
            yield
        finally:
            with _guard:
                held.depth -= 1
        return

    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + timeout
    told = False
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WarehouseBusy(
                        f"the warehouse is busy: {describe_holder(path)} holds {path}; "
                        f"gave up after waiting {timeout:g} s (set CLOSECREDIT_LOCK_TIMEOUT to wait longer)"
                    ) from None
                if not told and on_wait:
                    on_wait(
                        f"waiting up to {timeout:g} s for the warehouse lock {path}, "
                        f"held by {describe_holder(path)}"
                    )
                    told = True
                time.sleep(min(poll, max(0.0, deadline - time.monotonic())) or poll)
    except BaseException:
        os.close(fd)
        raise

    info = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "purpose": purpose,
        "since": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(info).encode("utf-8"), 0)
    with _guard:
        _held[key] = _Held(fd, 1)
    try:
        yield
    finally:
        with _guard:
            entry = _held[key]
            entry.depth -= 1
            release = entry.depth == 0
            if release:
                del _held[key]
        if release:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
