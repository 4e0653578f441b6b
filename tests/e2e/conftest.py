"""End-to-end nights through the real stack (the `closecredit` command in subprocesses, dbt,
DuckDB, a Dagster instance). Nights are expensive, so they are few and shared:

- `extracts` (session): three complete nights D1..D3 of demo extracts (the demo generator at a tiny
  scale; contract rows when the generator is not there) plus D4, a folder without `_SUCCESS`;
- `backfill` (session): `closecredit run --from D1 --to D2` on a fresh warehouse;
- `after_kill` (session): one night sequence on a fresh warehouse that several tests read, since
  each CLI night has minutes of fixed cost. On a copy of the extracts where D3 is still being
  written, `closecredit run --one-by-one` (D1 built and published on its own); once it holds the
  lock, two more `closecredit run` (both wait); SIGKILL to the first run in the middle of D2's
  dbt build. The waiter that gets the lock first marks the dead run failed and runs D2 on its
  own, the other then finds every complete night published. The result is the "D1, D2 each run
  on its own" warehouse that the catch-up `backfill` is compared with.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest

CLI = str(Path(sys.executable).with_name("closecredit"))
# A guard against a hung command, not a speed check: the catch-up of the shared nights beside the
# other test process took over 600 s on a loaded 2-core machine (seconds per command).
RUN_TIMEOUT = float(os.environ.get("CLOSECREDIT_E2E_TIMEOUT", "1800"))
DBT_MODEL_STARTED = re.compile(r"\d+ of \d+ START sql \w+ model")


@dataclass
class Nights:
    root: Path
    complete: list[date]
    incomplete: date


@dataclass
class Site:
    """One installation: extracts, a published warehouse file (and its build database beside it),
    a Dagster instance."""

    root: Path
    extracts: Path
    env_extra: dict = field(default_factory=dict)

    @property
    def database(self) -> Path:
        return self.root / "warehouse" / "closecredit.duckdb"

    @property
    def build_database(self) -> Path:
        return self.root / "warehouse" / "closecredit.build.duckdb"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster_home"

    def env(self, **extra: str) -> dict:
        return {
            **os.environ,
            "CLOSECREDIT_EXTRACTS": str(self.extracts),
            "CLOSECREDIT_DATABASE": str(self.database),
            "DAGSTER_HOME": str(self.dagster_home),
            "CLOSECREDIT_RETRY_DELAY": "0.5",
            # One hash secret for every site, so person keys compare across warehouses.
            "CLOSECREDIT_HASH_SECRET": "closecredit-e2e",
            **self.env_extra,
            **extra,
        }

    def run(self, *args: str, timeout: float = RUN_TIMEOUT, **extra: str) -> subprocess.CompletedProcess:
        started = time.monotonic()
        done = subprocess.run(
            [CLI, *args], env=self.env(**extra), capture_output=True, text=True, timeout=timeout
        )
        done.seconds = time.monotonic() - started
        return done

    def start(self, *args: str, log: Path, **extra: str) -> subprocess.Popen:
        """`closecredit ARGS` in its own process group, output to `log`."""
        handle = log.open("w", encoding="utf-8")
        return subprocess.Popen(
            [CLI, *args],
            env=self.env(**extra),
            stdout=handle,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )

    def clone(self, root: Path) -> Site:
        """The same extracts and a copy of the warehouse folder; a fresh Dagster instance."""
        shutil.copytree(self.database.parent, root / "warehouse")
        return Site(root, self.extracts, dict(self.env_extra))


def _demo_nights(out: Path) -> Path | None:
    try:
        from orchestration.demo import generate
    except ImportError:
        return None
    generate(out, scale=0.005, days=3)
    return out / "extracts"


def _contract_nights(root: Path) -> Path:
    """Three nights of valid contract rows: new keys every night and re-sent versions of earlier
    keys (deltas), so staging has versions to resolve."""
    from orchestration.core.contract import load_contract
    from tests.contract_rows import valid_row, write_night

    first = date(2026, 11, 24)
    for night in range(3):
        rows = {}
        for obj in load_contract():
            keys = range(1 + 20 * night, 21 + 20 * night)
            resent = range(1, 6) if night else range(0)
            rows[obj.qualified_name] = [valid_row(obj, n) for n in (*keys, *resent)]
        write_night(root, first + timedelta(days=night), rows)
    return root


@pytest.fixture(scope="session")
def extracts(tmp_path_factory) -> Nights:
    base = tmp_path_factory.mktemp("extracts")
    root = _demo_nights(base / "demo") or _contract_nights(base / "contract")
    complete = sorted(date.fromisoformat(p.name) for p in root.iterdir() if (p / "_SUCCESS").exists())
    assert len(complete) >= 3, complete
    complete = complete[:3]
    incomplete = complete[-1] + timedelta(days=1)
    # A night still being written: files there, no _SUCCESS.
    shutil.copytree(root / complete[-1].isoformat(), root / incomplete.isoformat())
    (root / incomplete.isoformat() / "_SUCCESS").unlink()
    for extra in sorted(p for p in root.iterdir() if p.is_dir() and p.name > incomplete.isoformat()):
        shutil.rmtree(extra)
    return Nights(root, complete, incomplete)


@pytest.fixture(scope="session")
def backfill(tmp_path_factory, extracts):
    """A fresh warehouse after `closecredit run --from D1 --to D2`."""
    d1, d2, _ = extracts.complete
    site = Site(tmp_path_factory.mktemp("backfill"), extracts.root)
    done = site.run("run", "--from", d1.isoformat(), "--to", d2.isoformat())
    assert done.returncode == 0, done.stdout + done.stderr
    return site, done


def dbt_is_building(log: Path) -> bool:
    return bool(DBT_MODEL_STARTED.search(log.read_text(encoding="utf-8", errors="replace")))


def wait_for(predicate, timeout: float, what: str, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the process ended (exit {process.returncode}) before {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)


@dataclass
class KilledRun:
    site: Site
    digest_before: str  # the published file (as of D1) while D2 built, just before the kill
    digest_after_kill: str
    as_of_while_building: date
    as_of_after_kill: date
    audit_rows_after_kill: int
    killed_log: str
    leftovers_after_kill: list[str]
    waiters: list[subprocess.CompletedProcess]  # the two runs that waited, in start order


def published_as_of(database: Path) -> tuple[date, int]:
    """(as_of_date of the published file, rows of its audit.reconciliation), read-only."""
    import duckdb

    with duckdb.connect(str(database), read_only=True) as con:
        as_of = con.execute("select max(as_of_date) from marts._publication").fetchone()[0]
        rows = con.execute("select count(*) from audit.reconciliation").fetchone()[0]
    return as_of, rows


def waiting_for_the_lock(log: Path) -> bool:
    return "for the warehouse lock" in log.read_text(encoding="utf-8", errors="replace")


@pytest.fixture(scope="session")
def after_kill(tmp_path_factory, extracts) -> KilledRun:
    """A fresh site: `closecredit run --one-by-one` (D1, D2); once it holds the lock, two
    more `closecredit run` (they wait); SIGKILL to the first run while dbt builds D2's models (D1
    published); then the two waiters run to their end (tests/e2e/test_kill_and_concurrency.py)."""
    import hashlib

    d1, _, d3 = extracts.complete
    # Its own copy of the demo folder (extracts and the ground truth beside them) where D3 is still
    # being written (no _SUCCESS): a plain `closecredit run` then has D1 and D2 to run, as
    # `backfill` had, and nothing after them.
    demo = tmp_path_factory.mktemp("killed_extracts") / extracts.root.parent.name
    shutil.copytree(extracts.root.parent, demo)
    root = demo / extracts.root.name
    (root / d3.isoformat() / "_SUCCESS").unlink()
    shutil.rmtree(root / extracts.incomplete.isoformat())
    site = Site(tmp_path_factory.mktemp("killed"), root)
    digest = lambda: hashlib.sha256(site.database.read_bytes()).hexdigest()  # noqa: E731
    log = site.root / "killed_run.log"
    text = lambda path: path.read_text(encoding="utf-8", errors="replace")  # noqa: E731
    # --verbose: dbt's progress lines on stdout.
    process = site.start("run", "--one-by-one", "--verbose", log=log)
    waiter_logs = [site.root / "waiter_1.log", site.root / "waiter_2.log"]
    waiters: list[subprocess.Popen] = []
    try:
        wait_for(
            lambda: "nights to run:" in text(log), RUN_TIMEOUT, "the first run to take the lock", process
        )
        lock_timeout = str(int(RUN_TIMEOUT))
        waiters = [site.start("run", log=w, CLOSECREDIT_LOCK_TIMEOUT=lock_timeout) for w in waiter_logs]

        def both_waiting() -> bool:
            ended = [w.returncode for w in waiters if w.poll() is not None]
            assert not ended, f"a run meant to wait for the lock ended first (exit {ended})"
            return all(map(waiting_for_the_lock, waiter_logs))

        wait_for(both_waiting, RUN_TIMEOUT, "both runs to wait for the lock", process)
        d1_done = f"# closecredit night {d1}"

        def building_d2() -> bool:
            out = text(log)
            return d1_done in out and bool(DBT_MODEL_STARTED.search(out, out.index(d1_done)))

        wait_for(building_d2, RUN_TIMEOUT, "dbt to start building D2's models", process)
        # Analysts can read the published file (D1's) while the night builds.
        as_of_while_building, _ = published_as_of(site.database)
        before = digest()
        time.sleep(0.5)
    except BaseException:
        for waiter in waiters:
            os.killpg(waiter.pid, signal.SIGKILL)
        raise
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    # Read at once: a waiter has the lock now, but its publish is minutes of landing and dbt away.
    after_kill = digest()
    as_of_after_kill, audit_rows = published_as_of(site.database)
    leftovers = sorted(p.name for p in site.database.parent.iterdir())
    done = []
    for waiter, waiter_log in zip(waiters, waiter_logs, strict=True):
        try:
            waiter.wait(timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(waiter.pid, signal.SIGKILL)
            raise
        done.append(subprocess.CompletedProcess(waiter.args, waiter.returncode, text(waiter_log), ""))
    return KilledRun(
        site,
        before,
        after_kill,
        as_of_while_building,
        as_of_after_kill,
        audit_rows,
        text(log),
        leftovers,
        done,
    )
