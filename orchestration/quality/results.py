"""What a suite run found, in words a person can act on; saved as JSON beside the warehouse.

No Great Expectations import here: the run summary and the Dagster check messages read these.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from orchestration.quality.config import CRITICAL, WARNING, data_docs_dir, results_dir, safe_file_name

PASSED, FAILED, SKIPPED, ERROR = "passed", "failed", "skipped", "error"
WARNED = "warned"
MAX_SAMPLES = 5


@dataclass
class ExpectationOutcome:
    type: str
    kwargs: dict
    severity: str
    description: str
    batch: str
    status: str  # passed | failed | skipped | error
    derived: str | None = None
    element_count: int | None = None
    unexpected_count: int | None = None
    missing_count: int | None = None
    unexpected_percent: float | None = None
    observed_value: object = None
    unexpected_values: list = field(default_factory=list)
    samples: list[dict] = field(default_factory=list)
    reason: str = ""

    @property
    def failed(self) -> bool:
        return self.status in (FAILED, ERROR)

    @property
    def signature(self) -> str:
        shown = {k: v for k, v in self.kwargs.items() if k not in ("batch_id", "value_set") and v is not None}
        if "value_set" in self.kwargs:
            values = list(self.kwargs["value_set"] or [])
            shown["value_set"] = values if len(values) <= 8 else f"[{len(values)} values]"
        args = ", ".join(f"{k}={v!r}" for k, v in shown.items())
        return f"{self.type}({args})"

    def finding(self) -> str:
        """What was found, e.g. `3 of 1,200 rows (0.25%); e.g. 'Closed Maybe' x2`."""
        if self.status == ERROR:
            return f"could not be evaluated: {self.reason}"
        if self.status == SKIPPED:
            return f"skipped: {self.reason}"
        parts = []
        if self.batch in ("file", "profile") and self.unexpected_values:
            return "found " + ", ".join(_short(v) for v in self.unexpected_values[:MAX_SAMPLES])
        if self.unexpected_count is not None and self.element_count is not None:
            nonmissing = self.element_count - (self.missing_count or 0)
            if self.missing_count and self.unexpected_percent is not None:
                share = f" ({self.unexpected_percent:.2f}% of the {nonmissing:,} filled)"
            elif self.unexpected_percent is not None:
                share = f" ({self.unexpected_percent:.2f}%)"
            else:
                share = ""
            parts.append(f"{self.unexpected_count:,} of {self.element_count:,} rows{share}")
        elif self.observed_value is not None:
            parts.append(f"observed {self.observed_value!r}")
        if self.unexpected_values:
            parts.append(
                "values found: " + ", ".join(_short(v) for v in self.unexpected_values[:MAX_SAMPLES])
            )
        return "; ".join(parts) or "failed"

    def sample_lines(self, source_file: str | None = None) -> list[str]:
        lines = []
        for sample in self.samples[:MAX_SAMPLES]:
            cells = dict(sample)
            where = []
            file = cells.pop("_source_file", None) or source_file
            row = cells.pop("_row_number", None)
            cells.pop("_row", None)  # a mart chunk's position: names nothing a person can find
            if file and row is not None:
                where.append(f"{file} row {row}")
            elif row is not None:
                where.append(f"row {row}")
            where += [f"{k}={_short(v, 200)}" for k, v in cells.items()]
            lines.append(", ".join(where))
        return lines


def _short(value, limit: int = 60) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass
class SuiteOutcome:
    suite: str
    kind: str  # raw | mart
    target: str  # crm.opportunity | fct_close_credit
    night: str  # YYYY-MM-DD
    suite_file: str
    expectations: list[ExpectationOutcome] = field(default_factory=list)
    skipped_reason: str = ""
    rows_validated: int = 0
    chunks: int = 0
    seconds: float = 0.0
    source_file: str | None = None
    profile: dict = field(default_factory=dict)

    @property
    def status(self) -> str:
        if self.skipped_reason:
            return SKIPPED
        if self.failures(CRITICAL):
            return FAILED
        if self.failures(WARNING):
            return WARNED
        return PASSED

    def of_severity(self, severity: str) -> list[ExpectationOutcome]:
        return [e for e in self.expectations if e.severity == severity]

    def failures(self, severity: str) -> list[ExpectationOutcome]:
        return [e for e in self.of_severity(severity) if e.failed]

    def check_passed(self, severity: str) -> bool:
        return not self.failures(severity)

    def message(self, severity: str) -> str:
        """The Dagster check's description: object, expectation, what was found, sample rows."""
        what = "blocking" if severity == CRITICAL else "warning"
        head = f"{self.suite} ({self.target}, night {self.night})"
        if self.skipped_reason:
            return f"{head}: skipped: {self.skipped_reason}"
        checked = [e for e in self.of_severity(severity) if e.status != SKIPPED]
        failures = self.failures(severity)
        if not failures:
            skipped = len(self.of_severity(severity)) - len(checked)
            extra = f" ({skipped} skipped)" if skipped else ""
            return f"{head}: all {len(checked)} {what} expectations passed{extra}."
        lines = [f"{head}: {len(failures)} of {len(checked)} {what} expectations failed"]
        for failure in failures:
            lines.append(f"- {failure.description or failure.type}")
            lines.append(f"  expectation: {failure.signature}")
            lines.append(f"  found: {failure.finding()}")
            samples = failure.sample_lines(self.source_file)
            if samples:
                lines.append("  sample failing rows: " + "; ".join(samples))
        return "\n".join(lines)

    def failure_details(self, severity: str, samples: int = 3) -> list[dict]:
        """Each failed expectation of a severity, for failure reports: what it expects, how many
        rows failed, and up to `samples` failing rows (file, row, value)."""
        return [
            {
                "object": self.target,
                "expectation": failure.description or failure.type,
                "signature": failure.signature,
                "found": failure.finding(),
                "failed_rows": failure.unexpected_count,
                "rows": failure.element_count,
                "samples": failure.sample_lines(self.source_file)[:samples],
            }
            for failure in self.failures(severity)
        ]

    def counts(self) -> dict[str, int]:
        return {
            "expectations": len(self.expectations),
            "blocking_failed": len(self.failures(CRITICAL)),
            "warnings_failed": len(self.failures(WARNING)),
            "skipped": sum(e.status == SKIPPED for e in self.expectations),
        }

    def to_json(self) -> dict:
        data = asdict(self)
        data["status"] = self.status
        data["counts"] = self.counts()
        return data

    @classmethod
    def from_json(cls, data: dict) -> SuiteOutcome:
        data = {k: v for k, v in data.items() if k not in ("status", "counts", "gx_result")}
        data["expectations"] = [ExpectationOutcome(**e) for e in data.get("expectations", [])]
        return cls(**data)


def result_path(night: date | str, suite: str, database: Path | None = None) -> Path:
    night = night if isinstance(night, str) else night.isoformat()
    return results_dir(database) / night / f"{safe_file_name(suite)}.json"


def save_outcome(outcome: SuiteOutcome, gx_result: dict | None, database: Path | None = None) -> Path:
    """One file per suite and night: our outcome plus GX's own validation result (for Data Docs)."""
    path = result_path(outcome.night, outcome.suite, database)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = outcome.to_json()
    data["gx_result"] = gx_result
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=1, default=_json_default), encoding="utf-8")
    tmp.replace(path)
    return path


def _json_default(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def load_outcomes(night: date | str, database: Path | None = None) -> list[SuiteOutcome]:
    night = night if isinstance(night, str) else night.isoformat()
    folder = results_dir(database) / night
    if not folder.is_dir():
        return []
    return [
        SuiteOutcome.from_json(json.loads(p.read_text(encoding="utf-8")))
        for p in sorted(folder.glob("*.json"))
    ]


def summary_markdown(night: date | str, database: Path | None = None) -> str:
    """The night's data-quality section for the run summary: suites passed/warned/failed/skipped,
    what failed, and where the Data Docs are."""
    outcomes = load_outcomes(night, database)
    night_text = night if isinstance(night, str) else night.isoformat()
    index = data_docs_dir(database) / "index.html"
    if not outcomes:
        return f"## Data quality\n\nNo suite results for {night_text}.\n"
    tally = {s: sum(o.status == s for o in outcomes) for s in (PASSED, WARNED, FAILED, SKIPPED)}
    lines = [
        "## Data quality",
        "",
        f"Suites: {tally[PASSED]} passed, {tally[WARNED]} warned, {tally[FAILED]} failed, "
        f"{tally[SKIPPED]} skipped. Data Docs: {index.as_uri() if index.is_absolute() else index}",
        "",
        "| suite | status | blocking failed | warnings | rows |",
        "|---|---|---|---|---|",
    ]
    for outcome in sorted(outcomes, key=lambda o: (o.kind != "raw", o.suite)):
        counts = outcome.counts()
        note = f" ({outcome.skipped_reason})" if outcome.skipped_reason else ""
        lines.append(
            f"| {outcome.suite} | {outcome.status}{note} | {counts['blocking_failed']} | "
            f"{counts['warnings_failed']} | {outcome.rows_validated:,} |"
        )
    problems = [(o, e) for o in outcomes for e in o.expectations if e.failed]
    if problems:
        lines += ["", "| suite | severity | expectation | found |", "|---|---|---|---|"]
        for outcome, failure in problems[:40]:
            text = (failure.description or failure.signature).replace("|", "\\|")
            found = failure.finding().replace("|", "\\|")
            lines.append(f"| {outcome.suite} | {failure.severity} | {text} | {found} |")
    return "\n".join(lines) + "\n"
