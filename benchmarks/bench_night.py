"""The whole night, landing to publish, timed per demo scale: a full build and one incremental night.

    python benchmarks/bench_night.py --scales 0.1 1 10 --runs 3          # make bench-night ARGS=...
    python benchmarks/bench_night.py --scales 10 --generate-only --runs 1  # the generator alone
    python benchmarks/bench_night.py --scales 0.02 --catch-up 30 --runs 1   # catch-up vs a full night

Per scale: the demo is generated first in its own process (its seconds and peak RSS are reported,
not counted in the night); then, --runs times on a fresh warehouse and Dagster instance,
`closecredit run --date <first night>` (the full build: the first night holds all history) and,
after the nights between, `closecredit run --date <last night>` (one incremental night), each in a
fresh process. For each night: wall seconds (median), peak RSS of the whole process tree (every
descendant sampled from /proc, summed), raw rows per second, the ratio to the raw-scan floor (one
DuckDB `count(*)` over the same raw CSV files, measured in the same invocation) and the seconds of
each step from the run's Dagster event log (STEP_START to STEP_SUCCESS/FAILURE). The results go to
stdout as JSON and into their section of docs/benchmarks.md (--no-write to skip).

With `--catch-up N` the demo has N + 1 nights: the first is run as the full night, then one
`closecredit run` lands the N pending nights (each with its raw checks) and builds and publishes
once as of the last; the ratio catch-up / full night is the one issue 11 sets at <= 3.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
DOC = PROJECT_DIR / "docs" / "benchmarks.md"
# the sections of docs/benchmarks.md this script rewrites (the rest of the file is left alone)
MARKERS = {
    "night": ("<!-- bench-night:start -->", "<!-- bench-night:end -->"),
    "generator": ("<!-- bench-generator:start -->", "<!-- bench-generator:end -->"),
    "catch-up": ("<!-- bench-catch-up:start -->", "<!-- bench-catch-up:end -->"),
    "spark": ("<!-- bench-spark:start -->", "<!-- bench-spark:end -->"),  # benchmarks/bench_spark.py
}
CLI = str(Path(sys.executable).with_name("closecredit"))
PAGE = os.sysconf("SC_PAGE_SIZE")
SAMPLE_SECONDS = 0.2
# step key (a Dagster op of the nightly job) -> the step of the night it belongs to
STEP_GROUPS = (
    ("landing", ("raw_extracts", "landing")),
    ("quality", ("quality", "check")),
    ("engine", ("credits", "attribution", "evaluation", "engine")),
    ("dbt", ("dbt", "_models")),  # closecredit_dbt_models, closecredit_credit_models
    ("publish", ("publish", "summary")),
)
STEPS = tuple(name for name, _ in STEP_GROUPS)


# --- the process tree's memory ---------------------------------------------------------------------


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def tree_rss_mib(root: int) -> float:
    """Resident memory of a process and all its descendants (MiB), from /proc."""
    tree, todo, total = _children(), [root], 0
    while todo:
        pid = todo.pop()
        todo.extend(tree.get(pid, ()))
        with contextlib.suppress(OSError, IndexError, ValueError):  # it ended between two reads
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    return total / 2**20


def run_measured(cmd: list[str], env: dict, log: Path) -> dict:
    """Run cmd in a fresh process; wall seconds, exit code and the tree's peak RSS (sampled)."""
    peak = [0.0]
    with log.open("w", encoding="utf-8") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=PROJECT_DIR)
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], tree_rss_mib(proc.pid))
                done.wait(SAMPLE_SECONDS)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        code = proc.wait()
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
    return {"seconds": seconds, "peak_rss_mib": peak[0], "exit_code": code}


# --- the steps of a run, from the Dagster event log ---------------------------------------------------


def step_group(step_key: str) -> str:
    key = step_key.lower()
    for name, needles in STEP_GROUPS:
        if any(n in key for n in needles):
            return name
    return key


def step_seconds(dagster_home: Path) -> dict[str, float]:
    """Seconds per step of the night (summed over the ops of each step) of the instance's last run."""
    import dagster as dg

    instance = dg.DagsterInstance.from_config(str(dagster_home))
    try:
        runs = instance.get_runs(limit=1)
        if not runs:
            return {}
        kinds = {
            dg.DagsterEventType.STEP_START,
            dg.DagsterEventType.STEP_SUCCESS,
            dg.DagsterEventType.STEP_FAILURE,
        }
        started: dict[str, float] = {}
        out: dict[str, float] = {}
        first_event = instance.get_records_for_run(runs[0].run_id, limit=1).records
        for record in instance.get_records_for_run(runs[0].run_id, of_type=kinds, limit=100_000).records:
            entry = record.event_log_entry
            if entry.dagster_event.event_type == dg.DagsterEventType.STEP_START:
                if not started and not out and first_event:
                    # Run launch: the run's first event (its planned materializations and checks,
                    # one stored event each) to the first step.
                    out["launch"] = entry.timestamp - first_event[0].event_log_entry.timestamp
                started[entry.step_key] = entry.timestamp
            elif entry.step_key in started:
                group = step_group(entry.step_key)
                out[group] = out.get(group, 0.0) + entry.timestamp - started.pop(entry.step_key)
        return out
    finally:
        instance.dispose()


# --- the raw-scan floor -------------------------------------------------------------------------------------


def raw_files(night_dir: Path) -> list[str]:
    return sorted(str(p) for p in night_dir.rglob("*.csv"))


def raw_scan(files: list[str]) -> tuple[int, float]:
    """(rows, seconds) of one DuckDB count(*) over the raw files: the least a night can cost."""
    import duckdb

    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")  # it would print into the report
    started = time.perf_counter()
    rows = con.execute(
        "select count(*) from read_csv($files, union_by_name = true, all_varchar = true, header = true)",
        {"files": files},
    ).fetchone()[0]
    seconds = time.perf_counter() - started
    con.close()
    return int(rows), seconds


# --- one scale ------------------------------------------------------------------------------------------


def generate(scale: float, days: int, seed: int, out: Path, logs: Path) -> dict:
    """The demo in its own process (so its peak RSS is its own)."""
    code = (
        "import sys; from pathlib import Path; from orchestration.demo import generate; "
        f"generate(Path(sys.argv[1]), scale={scale!r}, days={days}, seed={seed})"
    )
    result = run_measured([sys.executable, "-c", code, str(out)], dict(os.environ), logs / "generate.log")
    if result["exit_code"]:
        raise SystemExit(f"generate failed at scale {scale}: see {logs / 'generate.log'}")
    return result


def night(site: Path, extracts: Path, day: str | None, logs: Path, name: str, target: str = "duckdb") -> dict:
    """One `closecredit run` in a fresh process: `--date day`, or every pending night (catch-up).
    A Spark night runs outside Dagster: it has no per-step seconds."""
    env = {
        **os.environ,
        "DAGSTER_HOME": str(site / "dagster_home"),
        "CLOSECREDIT_HASH_SECRET": "bench-night",
    }
    (site / "dagster_home").mkdir(parents=True, exist_ok=True)
    cmd = [
        CLI,
        "run",
        "--extracts",
        str(extracts),
        "--database",
        str(site / "warehouse" / "closecredit.duckdb"),
        *("--target", target),
    ]
    result = run_measured([*cmd, *(["--date", day] if day else [])], env, logs / f"{name}.log")
    if result["exit_code"]:
        tail = (logs / f"{name}.log").read_text(encoding="utf-8")[-3000:]
        what = f"--date {day}" if day else "(catch-up)"
        raise SystemExit(f"closecredit run {what} failed (exit {result['exit_code']}):\n{tail}")
    result["steps"] = step_seconds(site / "dagster_home")
    return result


def summarize(runs: list[dict], rows: int, floor_seconds: float) -> dict:
    seconds = statistics.median(r["seconds"] for r in runs)
    steps = sorted(
        {k for r in runs for k in r["steps"]}, key=lambda k: (STEPS.index(k) if k in STEPS else 99, k)
    )
    step_median = {k: statistics.median(r["steps"].get(k, 0.0) for r in runs) for k in steps}
    return {
        "seconds": round(seconds, 2),
        "seconds_all": [round(r["seconds"], 2) for r in runs],
        "peak_rss_mib": round(max(r["peak_rss_mib"] for r in runs)),
        "raw_rows": rows,
        "rows_per_second": round(rows / seconds) if seconds else None,
        "floor_seconds": round(floor_seconds, 3),
        "floor_ratio": round(seconds / floor_seconds, 1) if floor_seconds else None,
        "steps": {k: round(v, 2) for k, v in step_median.items()},
        "outside_steps": round(seconds - sum(step_median.values()), 2),
    }


def bench_scale(scale: float, args: argparse.Namespace, workdir: Path) -> dict:
    base = workdir / f"scale-{scale:g}"
    if base.exists():
        shutil.rmtree(base)
    logs = base / "logs"
    logs.mkdir(parents=True)
    demo = base / "demo"
    days = args.catch_up + 1 if args.catch_up else args.days
    gen = generate(scale, days, args.seed, demo, logs)
    out = {
        "scale": scale,
        "generate": {"seconds": round(gen["seconds"], 2), "peak_rss_mib": round(gen["peak_rss_mib"])},
    }
    print(
        f"scale {scale:g}: generated in {gen['seconds']:.1f} s, peak {gen['peak_rss_mib']:.0f} MiB",
        flush=True,
    )
    if args.generate_only:
        shutil.rmtree(base)
        return out
    extracts = demo / "extracts"
    nights = sorted(p.name for p in extracts.iterdir() if (p / "_SUCCESS").exists())
    first, last = nights[0], nights[-1]
    if args.catch_up:
        return {**out, **bench_catch_up(args, base, extracts, nights, logs)}
    scans = {n: [raw_scan(raw_files(extracts / n)) for _ in range(args.runs)] for n in (first, last)}
    full_runs, incr_runs = [], []
    for k in range(args.runs):
        site = base / f"run-{k}"
        full_runs.append(night(site, extracts, first, logs, f"run-{k}-full"))
        print(f"  run {k + 1}: full night {full_runs[-1]['seconds']:.1f} s", flush=True)
        if len(nights) > 2:  # the nights between, not timed
            for day in nights[1:-1]:
                night(site, extracts, day, logs, f"run-{k}-{day}")
        incr_runs.append(night(site, extracts, last, logs, f"run-{k}-incremental"))
        print(f"  run {k + 1}: incremental night {incr_runs[-1]['seconds']:.1f} s", flush=True)
        if k < args.runs - 1 or not args.keep:
            shutil.rmtree(site)
    for name, day, runs in (("full", first, full_runs), ("incremental", last, incr_runs)):
        rows = scans[day][0][0]
        floor = statistics.median(s for _, s in scans[day])
        out[name] = {"night": day, **summarize(runs, rows, floor)}
    out["incremental_share"] = round(out["incremental"]["seconds"] / out["full"]["seconds"], 3)
    if not args.keep:
        shutil.rmtree(demo)
    return out


def bench_catch_up(
    args: argparse.Namespace, base: Path, extracts: Path, nights: list[str], logs: Path
) -> dict:
    """--runs times on a fresh warehouse: the first night (full), then one catch-up run of the rest."""
    full_runs, catch_runs = [], []
    for k in range(args.runs):
        site = base / f"run-{k}"
        full_runs.append(night(site, extracts, nights[0], logs, f"run-{k}-full"))
        print(f"  run {k + 1}: full night {full_runs[-1]['seconds']:.1f} s", flush=True)
        catch_runs.append(night(site, extracts, None, logs, f"run-{k}-catch-up"))
        print(
            f"  run {k + 1}: catch-up of {len(nights) - 1} nights {catch_runs[-1]['seconds']:.1f} s",
            flush=True,
        )
        if k < args.runs - 1 or not args.keep:
            shutil.rmtree(site)
    full_rows = raw_scan(raw_files(extracts / nights[0]))[0]
    rest_rows = sum(raw_scan(raw_files(extracts / n))[0] for n in nights[1:])
    out = {
        "full": {"night": nights[0], **summarize(full_runs, full_rows, 0.0)},
        "catch_up": {"night": f"{nights[1]}..{nights[-1]}", **summarize(catch_runs, rest_rows, 0.0)},
        "catch_up_nights": len(nights) - 1,
    }
    out["catch_up_ratio"] = round(out["catch_up"]["seconds"] / out["full"]["seconds"], 2)
    return out


def step_row(scale: float, label: str, n: dict) -> str:
    """One run's seconds per step as a markdown row: the STEPS columns, outside the steps, others."""
    steps = " | ".join(str(n["steps"].get(s, "–")) for s in STEPS)
    others = ", ".join(f"{k} {v}" for k, v in n["steps"].items() if k not in STEPS)
    return f"| {scale:g} | {label} | {steps} | {n['outside_steps']} | {others or '–'} |"


def markdown_catch_up(report: dict) -> str:
    start, end = MARKERS["catch-up"]
    m = report["machine"]
    lines = [
        start,
        f"Run {report['started']} UTC with `{report['command']}` on {m['nproc']} cores, {m['memory_gib']} GiB, "
        f"{m['cpu']}; load average {report['load_before']} before, {report['load_after']} after.",
        "",
        "| scale | run | nights | raw rows | seconds (median) | runs | peak RSS, tree | catch-up / full |",
        "|---|---|---|---|---|---|---|---|",
    ]
    step_rows = []
    for r in report["results"]:
        for name, label, count in (("full", "full night", 1), ("catch_up", "catch-up", r["catch_up_nights"])):
            n = r[name]
            ratio = f"**{r['catch_up_ratio']}** (target ≤ 3)" if name == "catch_up" else ""
            lines.append(
                f"| {r['scale']:g} | {label} ({n['night']}) | {count} | {n['raw_rows']:,} | {n['seconds']} | "
                f"{', '.join(map(str, n['seconds_all']))} | {n['peak_rss_mib']} MiB | {ratio} |"
            )
            step_rows.append(step_row(r["scale"], label, n))
    lines += [
        "",
        "Seconds per step (median; from the Dagster event log, summed over the catch-up's nights):",
        "",
        "| scale | run | " + " | ".join(STEPS) + " | outside | other steps |",
        "|---|---|" + "---|" * (len(STEPS) + 2),
        *step_rows,
        "",
        end,
    ]
    return "\n".join(lines)


# --- the report ----------------------------------------------------------------------------------------------


def machine() -> dict:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    mem_kib = int(
        next(
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    )
    return {
        "nproc": os.cpu_count(),
        "memory_gib": round(mem_kib / 2**20, 1),
        "cpu": model,
        "python": platform.python_version(),
    }


def markdown(report: dict, section: str) -> str:
    start, end = MARKERS[section]
    m = report["machine"]
    lines = [
        start,
        f"Run {report['started']} UTC with `{report['command']}` on {m['nproc']} cores, {m['memory_gib']} GiB, "
        f"{m['cpu']}; load average {report['load_before']} before, {report['load_after']} after "
        "(the machine is shared: other jobs ran beside it, so the ratios matter more than the seconds).",
        "",
        "| scale | night | raw rows | seconds (median) | runs | peak RSS, tree | rows/s | floor s | × floor |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    gen_lines = [
        "",
        "Generating the demo (not part of the night), in its own process:",
        "",
        "| scale | seconds | peak RSS |",
        "|---|---|---|",
    ]
    step_rows = []
    for r in report["results"]:
        gen_lines.append(
            f"| {r['scale']:g} | {r['generate']['seconds']} | {r['generate']['peak_rss_mib']} MiB |"
        )
        for name in ("full", "incremental"):
            if name not in r:
                continue
            n = r[name]
            lines.append(
                f"| {r['scale']:g} | {name} ({n['night']}) | {n['raw_rows']:,} | {n['seconds']} | "
                f"{', '.join(map(str, n['seconds_all']))} | {n['peak_rss_mib']} MiB | {n['rows_per_second']:,} | "
                f"{n['floor_seconds']} | {n['floor_ratio']} |"
            )
            step_rows.append(step_row(r["scale"], name, n))
        if "incremental_share" in r:
            lines.append(
                f"| {r['scale']:g} | incremental / full | | {r['incremental_share']:.1%} | | | | | |"
            )
    if step_rows:
        lines += [
            "",
            "Seconds per step (median over the runs; from the Dagster event log; *outside* = process "
            "start, definitions, lock and summary printing):",
            "",
            "| scale | night | " + " | ".join(STEPS) + " | outside | other steps |",
            "|---|---|" + "---|" * (len(STEPS) + 2),
            *step_rows,
        ]
    if section == "generator":
        lines = lines[:2]
    lines += [*gen_lines, "", end]
    return "\n".join(lines)


def write_doc(markdown_text: str, section: str) -> None:
    start, end = MARKERS[section]
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        text = head + markdown_text + rest.split(end, 1)[1]
    else:
        text = text.rstrip() + f"\n\n## {section} (`make bench-night`)\n\n" + markdown_text + "\n"
    DOC.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scales", type=float, nargs="+", default=[0.1, 1, 10])
    parser.add_argument("--runs", type=int, default=3, help="runs per scale (median; >= 3 for the record)")
    parser.add_argument(
        "--days", type=int, default=2, help="nights generated: the first is timed full, the last incremental"
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--workdir", type=Path, help="where demos and warehouses go (default: a temporary folder)"
    )
    parser.add_argument("--generate-only", action="store_true", help="time the demo generator alone")
    parser.add_argument(
        "--catch-up",
        type=int,
        metavar="N",
        default=0,
        help="time a catch-up of N pending nights against the full first night (demo of N + 1 nights)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the demo and the last run's warehouse")
    parser.add_argument(
        "--no-write", action="store_true", help=f"do not update {DOC.relative_to(PROJECT_DIR)}"
    )
    args = parser.parse_args(argv)
    if args.days < 2 or args.runs < 1:
        parser.error("--days must be >= 2 (a full and an incremental night) and --runs >= 1")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-night-"))
    workdir.mkdir(parents=True, exist_ok=True)
    report = {
        "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
        "command": "python benchmarks/bench_night.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": machine(),
        "load_before": " ".join(f"{x:.1f}" for x in os.getloadavg()),
        "results": [],
    }
    section = "generator" if args.generate_only else "catch-up" if args.catch_up else "night"
    # Written after every scale, so a run stopped during a large scale keeps the smaller ones.
    for scale in args.scales:
        report["results"].append(bench_scale(scale, args, workdir))
        report["load_after"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
        print(json.dumps(report["results"][-1], indent=2), flush=True)
        if not args.no_write:
            text = markdown_catch_up(report) if section == "catch-up" else markdown(report, section)
            write_doc(text, section)
            print(f"written to {DOC}", flush=True)
    if not args.workdir and not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
