"""Seconds and peak memory of generate, land and stage (dbt build of staging) per demo scale.

    python benchmarks/bench_foundation.py --scales 0.1 1 --repeat 3

Each phase runs in a fresh process so its peak RSS is its own (dbt's own process is counted for
staging). Prints the median over --repeat runs, and each phase's seconds per million raw rows.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]


def _peak_mib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def phase(name: str, scale: float, workdir: Path) -> dict:
    started = time.perf_counter()
    rows = None
    if name == "generate":
        from orchestration.demo import generate

        generate(workdir / "demo", scale=scale, days=3, seed=7)
    elif name == "land":
        import duckdb

        from orchestration.night.landing import complete_extract_dates, land_night

        root = workdir / "demo" / "extracts"
        con = duckdb.connect(str(workdir / "warehouse.duckdb"))
        rows = sum(land_night(con, root, d).rows_landed for d in complete_extract_dates(root))
        con.close()
    elif name == "stage":
        from orchestration.core.dbt_args import build_args
        from orchestration.core.dbt_project import dbt_executable

        last_night = max(p.name for p in (workdir / "demo" / "extracts").iterdir())
        from orchestration.core.settings import DBT_PROFILE_VARS

        env = dict(os.environ)
        profile = {DBT_PROFILE_VARS["build_database"]: str(workdir / "warehouse.duckdb")}
        # with the seeds staging reads
        args = build_args(date.fromisoformat(last_night), select="+staging", overrides=profile)
        cmd = [dbt_executable(), *args, "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR)]
        cmd += ["--target-path", str(workdir / "target"), "--log-path", str(workdir / "logs")]
        cmd += ["--indirect-selection", "cautious"]  # not the tests that also read later layers
        done = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"dbt failed:\n{done.stdout[-3000:]}")
    seconds = time.perf_counter() - started
    peak = max(_peak_mib(resource.RUSAGE_SELF), _peak_mib(resource.RUSAGE_CHILDREN))
    return {"seconds": seconds, "peak_mib": peak, "rows": rows}


def run_phase_in_child(name: str, scale: float, workdir: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--phase", name, "--scale", str(scale), "--workdir", str(workdir)],
        capture_output=True,
        text=True,
    )
    if out.returncode:
        raise SystemExit(f"phase {name} at scale {scale} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scales", type=float, nargs="+", default=[0.1, 1.0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--scale", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(phase(args.phase, args.scale, args.workdir)))
        return

    print(f"{'scale':>6} {'phase':>9} {'median s':>9} {'runs (s)':>24} {'peak MiB':>9} {'raw rows':>10}")
    for scale in args.scales:
        results: dict[str, list[dict]] = {"generate": [], "land": [], "stage": []}
        for _ in range(args.repeat):
            workdir = Path(tempfile.mkdtemp(prefix="cc-bench-"))
            try:
                for name in results:
                    results[name].append(run_phase_in_child(name, scale, workdir))
            finally:
                shutil.rmtree(workdir, ignore_errors=True)
        rows = results["land"][0]["rows"]
        for name, runs in results.items():
            secs = [r["seconds"] for r in runs]
            peak = max(r["peak_mib"] for r in runs)
            listed = ", ".join(f"{s:.1f}" for s in secs)
            print(
                f"{scale:>6} {name:>9} {statistics.median(secs):>9.2f} {listed:>24} {peak:>9.0f} {rows:>10,}"
            )


if __name__ == "__main__":
    main()
