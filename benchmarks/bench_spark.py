"""The first (full) night of one demo on DuckDB and on Spark `local[*]`, one after the other.

    python benchmarks/bench_spark.py --scale 1 --runs 1

The demo is generated once (not timed); then, per run and per target, `closecredit run --date
<first night>` on a fresh warehouse and Dagster instance, in a fresh process: wall seconds and the
peak RSS of the whole process tree (the Spark night's JVM included), and the ratio Spark / DuckDB of
the same run. Results go to stdout as JSON and into the `bench-spark` section of
docs/benchmarks.md (--no-write to skip). The measuring is bench_night.py's.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_night import generate, machine, night, raw_files, raw_scan, write_doc

TARGETS = ("duckdb", "spark")


def markdown(report: dict) -> str:
    m = report["machine"]
    lines = [
        "<!-- bench-spark:start -->",
        f"Run {report['started']} UTC with `{report['command']}` on {m['nproc']} cores, "
        f"{m['memory_gib']} GiB, {m['cpu']}; load average {report['load_before']} before, "
        f"{report['load_after']} after. The first night of the demo ({report['raw_rows']:,} raw rows "
        "in the night's files, all history), on a fresh warehouse.",
        "",
        "| target | seconds (median) | runs | peak RSS, tree | × DuckDB |",
        "|---|---|---|---|---|",
    ]
    duckdb_seconds = report["targets"]["duckdb"]["seconds"]
    for target, r in report["targets"].items():
        lines.append(
            f"| {target} | {r['seconds']} | {', '.join(map(str, r['seconds_all']))} | "
            f"{r['peak_rss_mib']} MiB | {r['seconds'] / duckdb_seconds:.1f} |"
        )
    return "\n".join([*lines, "<!-- bench-spark:end -->"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=1, help="runs per target (median)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workdir", type=Path, help="where the demo and warehouses go (default: temporary)")
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-spark-"))
    logs = workdir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    demo = workdir / "demo"
    generate(args.scale, 1, args.seed, demo, logs)
    extracts = demo / "extracts"
    day = sorted(p.name for p in extracts.iterdir() if p.is_dir())[0]
    report = {
        "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
        "command": "python benchmarks/bench_spark.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": machine(),
        "load_before": " ".join(f"{x:.1f}" for x in os.getloadavg()),
        "raw_rows": None,
        "targets": {},
    }
    runs: dict[str, list[dict]] = {t: [] for t in TARGETS}
    for i in range(args.runs):
        for target in TARGETS:  # alternating, so load drifts hit both
            site = workdir / f"{target}-{i}"
            runs[target].append(night(site, extracts, day, logs, f"{target}-{i}", target=target))
            shutil.rmtree(site, ignore_errors=True)
    report["raw_rows"] = raw_scan(raw_files(extracts / day))[0]
    for target, done in runs.items():
        report["targets"][target] = {
            "seconds": round(statistics.median(r["seconds"] for r in done), 1),
            "seconds_all": [round(r["seconds"], 1) for r in done],
            "peak_rss_mib": round(max(r["peak_rss_mib"] for r in done)),
        }
    report["load_after"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(json.dumps(report, indent=2))
    if not args.no_write:
        write_doc(markdown(report), "spark")
    if not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
