"""Suite files (`expectations/raw/*.json`, `expectations/marts/*.json`), read and checked.

A suite file is a Great Expectations expectation suite in GX's own JSON shape (`name`,
`expectations`, `meta`) holding only what the extract contract does not say: accepted values,
ranges, row-count bounds, freshness, and — for every expectation, literal or derived from the
contract — whether it blocks the night (`"severity": "critical"`) or only warns (`"warning"`).
Project settings live under `meta.closecredit`. Columns, types, required flags and keys are never
restated: `orchestration.quality.derive` builds those expectations from the contract. What no mart
may hold (personal data) is one file for every mart suite, `expectations/pii.json`.

This module does not import Great Expectations (the Dagster definitions read it at load time).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from orchestration.core.contract import PROJECT_DIR, ContractObject, load_contract
from orchestration.quality.config import MART_SUITES_DIR, PII_RULE_FILE, RAW_SUITES_DIR, SEVERITIES

# Contract-derived expectation kinds of a raw suite; each suite file says how severe each is.
CONTRACT_KINDS = {
    "file_readable": "the night's file was read (landing status landed, or missing: nothing tonight)",
    "columns_present": "every contract column is in the file's header",
    "quarantine_rate": "the share of rows staging will quarantine stays within var max_quarantine_rate",
    "required": "required columns are filled (contract: required)",
    "required_if": "conditionally required columns are filled (contract: required_if)",
    "parses_as_type": "non-text values parse as their contract type",
    "number_bounds": "numbers lie within the contract's min/max",
    "known_currency": "currency codes are ISO 4217 (seeds/iso_currencies.csv)",
    "key_unique": "the contract key is unique within the night's file",
}
RAW_BATCHES = ("rows", "file")
MART_BUILTIN_BATCHES = ("rows", "profile")


class SuiteError(ValueError):
    """A suite file that cannot be used; the message names the file and what is wrong."""


@dataclass(frozen=True)
class BaselineRule:
    """How tonight's row count is compared: against the median of up to `nights` earlier landed
    nights; no ratio when that median is below `min_rows`. With `skip_first_extract`, an object's
    first landed night (a full snapshot or a history backfill, not a night's worth) is left out."""

    nights: int = 7
    min_rows: int = 20
    skip_first_extract: bool = True


@dataclass(frozen=True)
class MartBatch:
    """A named batch of a mart suite: SQL over the marts (DuckDB pushes joins and group-bys
    down), validated in chunks. `requires` are relations that must exist (else the expectations
    on this batch are skipped with that reason); `key` buckets the chunks so uniqueness on it is
    exact."""

    name: str
    sql: str
    requires: tuple[str, ...] = ()
    key: tuple[str, ...] = ()


@dataclass(frozen=True)
class PiiRule:
    """Patterns no text or list column of a mart may match, and how severe a match is."""

    severity: str
    patterns: dict[str, str]


@dataclass(frozen=True)
class SuiteFile:
    path: Path
    name: str
    kind: str  # raw | mart
    target: str  # raw: the contract object (crm.opportunity); mart: the mart's table name
    expectations: tuple[dict, ...]
    settings: dict = field(default_factory=dict)

    # --- raw suites ---
    @property
    def contract_severities(self) -> dict[str, str]:
        return dict(self.settings.get("contract_expectations") or {})

    @property
    def baseline(self) -> BaselineRule:
        return BaselineRule(**(self.settings.get("row_count_baseline") or {}))

    # --- mart suites ---
    @property
    def schema(self) -> str:
        return str(self.settings.get("schema", "marts"))

    @property
    def relation(self) -> str:
        return f"{self.schema}.{self.target}"

    @property
    def grain(self) -> tuple[str, ...]:
        return tuple(self.settings.get("grain") or ())

    @property
    def batches(self) -> dict[str, MartBatch]:
        out = {}
        for name, spec in (self.settings.get("batches") or {}).items():
            out[name] = MartBatch(
                name=name,
                sql=spec["sql"],
                requires=tuple(spec.get("requires") or ()),
                key=tuple(spec.get("key") or ()),
            )
        return out

    @property
    def pii(self) -> PiiRule | None:
        """Every mart suite checks the one PII rule (`expectations/pii.json`); raw suites do not."""
        return pii_rule() if self.kind == "mart" else None

    def batch_of(self, expectation: dict) -> str:
        return (expectation.get("meta") or {}).get("batch", "rows")


def shown_path(path: Path) -> str:
    """A project file as people see it: relative to the repository."""
    try:
        return path.resolve().relative_to(PROJECT_DIR).as_posix()
    except ValueError:
        return str(path)


def _fail(path: Path, message: str) -> SuiteError:
    return SuiteError(f"{shown_path(path)}: {message}")


@cache
def pii_rule(path: Path = PII_RULE_FILE) -> PiiRule:
    """The personal data no mart may hold (`expectations/pii.json`), checked by every mart suite."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise _fail(path, f"cannot be read ({exc})") from exc
    document = document if isinstance(document, dict) else {}
    patterns = document.get("patterns")
    if document.get("severity") not in SEVERITIES or not isinstance(patterns, dict) or not patterns:
        raise _fail(path, f"needs a `severity` ({' or '.join(SEVERITIES)}) and `patterns` (label -> regex)")
    return PiiRule(severity=document["severity"], patterns=dict(patterns))


def _check_expectations(path: Path, expectations: list, batches: tuple[str, ...]) -> None:
    if not isinstance(expectations, list):
        raise _fail(path, "`expectations` must be a list")
    for position, expectation in enumerate(expectations, start=1):
        where = f"expectation {position} ({expectation.get('type', '?')})"
        if not isinstance(expectation, dict) or not expectation.get("type"):
            raise _fail(path, f"{where} has no `type`")
        if not isinstance(expectation.get("kwargs", {}), dict):
            raise _fail(path, f"{where}: `kwargs` must be an object")
        severity = expectation.get("severity")
        if severity not in SEVERITIES:
            raise _fail(
                path,
                f'{where} must say whether it blocks the night: `"severity": "critical"` (blocks) '
                f'or `"warning"` (recorded, never blocks); found {severity!r}',
            )
        batch = (expectation.get("meta") or {}).get("batch", "rows")
        if batch not in batches:
            raise _fail(path, f"{where}: meta.batch {batch!r} is not one of {', '.join(batches)}")


def parse_suite(path: Path, kind: str) -> SuiteFile:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise _fail(path, f"not valid JSON ({exc})") from exc
    if not isinstance(document, dict) or not document.get("name"):
        raise _fail(path, "a suite file is a JSON object with a `name`")
    settings = ((document.get("meta") or {}).get("closecredit")) or {}
    expectations = document.get("expectations") or []
    if kind == "raw":
        target = settings.get("object")
        objects = {o.qualified_name for o in load_contract()}
        if target not in objects:
            raise _fail(path, f"meta.closecredit.object {target!r} is not a contract object")
        severities = settings.get("contract_expectations") or {}
        missing = sorted(set(CONTRACT_KINDS) - set(severities))
        unknown = sorted(set(severities) - set(CONTRACT_KINDS))
        if missing or unknown:
            raise _fail(
                path,
                "meta.closecredit.contract_expectations must give a severity for each of "
                f"{', '.join(CONTRACT_KINDS)} (missing: {missing or 'none'}; unknown: {unknown or 'none'})",
            )
        for name, severity in severities.items():
            if severity not in SEVERITIES:
                raise _fail(
                    path, f"contract_expectations.{name}: severity {severity!r} is not one of {SEVERITIES}"
                )
        _check_expectations(path, expectations, RAW_BATCHES)
    else:
        target = settings.get("mart")
        if not target:
            raise _fail(path, "meta.closecredit.mart names the mart table this suite validates")
        names = tuple(MART_BUILTIN_BATCHES) + tuple((settings.get("batches") or {}).keys())
        for batch_name, spec in (settings.get("batches") or {}).items():
            if batch_name in MART_BUILTIN_BATCHES or not isinstance(spec, dict) or not spec.get("sql"):
                raise _fail(path, f"batch {batch_name!r} needs a name other than rows/profile and an `sql`")
        if "pii" in settings:
            raise _fail(
                path,
                f"meta.closecredit.pii: the PII rule is one file for every mart, {shown_path(PII_RULE_FILE)}",
            )
        _check_expectations(path, expectations, names)
    return SuiteFile(
        path=path,
        name=document["name"],
        kind=kind,
        target=target,
        expectations=tuple(expectations),
        settings=settings,
    )


def raw_suite_path(obj: ContractObject) -> Path:
    return RAW_SUITES_DIR / f"{obj.identifier}.json"


@cache
def raw_suites() -> dict[str, SuiteFile]:
    """Every contract object's suite, by qualified name; a contract object without one is an error
    (a new object must come with its suite: copy a neighbour's file and adjust)."""
    suites = {}
    for obj in load_contract():
        path = raw_suite_path(obj)
        if not path.exists():
            raise SuiteError(
                f"{path} is missing: every contract object has a raw suite ({obj.qualified_name})"
            )
        suite = parse_suite(path, "raw")
        if suite.target != obj.qualified_name:
            raise _fail(path, f"is named for {obj.identifier} but says object {suite.target!r}")
        suites[obj.qualified_name] = suite
    return suites


@cache
def mart_suites() -> dict[str, SuiteFile]:
    """Every mart suite, by mart table name."""
    suites = {}
    for path in sorted(MART_SUITES_DIR.glob("*.json")):
        suite = parse_suite(path, "mart")
        if path.stem != suite.target:
            raise _fail(path, f"is named {path.stem} but validates mart {suite.target!r}")
        suites[suite.target] = suite
    return suites
