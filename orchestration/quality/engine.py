"""Great Expectations, used through its pandas path one chunk at a time.

GX is imported here only, when a validation actually runs (its import takes seconds; the Dagster
definitions never import this module). One ephemeral context per process is enough: it holds a
pandas datasource whose whole-dataframe batch definition takes each chunk as a batch parameter.

GX validates each chunk; `SuiteRun` adds the chunks' results up per expectation (element and
unexpected counts, missing counts, sample values and rows) and decides success on the totals, so a
`mostly` holds for the whole night, not per chunk. Map expectations (one verdict per row) add up
exactly; keep aggregate expectations (row counts, column maxima, ...) on one-row or SQL batches.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import time
from collections import Counter
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache

import pandas as pd

from orchestration.quality.config import CRITICAL
from orchestration.quality.results import (
    ERROR,
    FAILED,
    MAX_SAMPLES,
    PASSED,
    SKIPPED,
    ExpectationOutcome,
)

PARTIAL_COUNT = 20
# SUMMARY: counts, up to PARTIAL_COUNT unexpected values and their row indexes. GX computes the
# unexpected-index query (a pandas filter over the unexpected rows) for every map expectation
# unless told not to, and adds it to a result only when asked to: so it is not asked for.
RESULT_FORMAT = {
    "result_format": "SUMMARY",
    "partial_unexpected_count": PARTIAL_COUNT,
    "return_unexpected_index_query": False,
}
SEVERITY_LABEL = {"critical": "blocks the night", "warning": "warning"}


def plain(value):
    """A JSON-friendly version of a value GX or pandas hands back."""
    if value is None:
        return None
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            return plain(value.item())
        except (ValueError, AttributeError):
            return str(value)
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


@cache
def engine() -> GxEngine:
    return GxEngine()


class GxEngine:
    """One ephemeral GX context with a pandas datasource (the process keeps one)."""

    def __init__(self) -> None:
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.gx = gx
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        datasource = self.context.data_sources.add_pandas("closecredit")
        self.batch_definition = datasource.add_dataframe_asset("chunk").add_batch_definition_whole_dataframe(
            "whole_chunk"
        )
        _cache_configurations()
        _fast_metric_ids()

    def expectation(self, config: dict, key: str):
        """A GX Expectation from a suite-file entry; a wrong entry raises naming the problem."""
        from great_expectations.expectations.registry import get_expectation_impl

        try:
            cls = get_expectation_impl(config["type"])
        except Exception as exc:
            raise ValueError(f"unknown expectation type {config['type']!r}") from exc
        meta = dict(config.get("meta") or {})
        meta["closecredit_key"] = key
        label = SEVERITY_LABEL.get(config["severity"], config["severity"])
        description = config.get("description")
        shown = f"[{label}] {description}" if description else None
        try:
            return cls(
                **dict(config.get("kwargs") or {}), severity=config["severity"], description=shown, meta=meta
            )
        except Exception as exc:
            raise ValueError(f"{config['type']}: {exc}") from exc

    def is_map(self, expectation) -> bool:
        """One verdict per row: counts add up over chunks."""
        from great_expectations.expectations.expectation import (
            ColumnMapExpectation,
            ColumnPairMapExpectation,
            MulticolumnMapExpectation,
        )

        return isinstance(
            expectation, (ColumnMapExpectation, ColumnPairMapExpectation, MulticolumnMapExpectation)
        )

    def validate(self, frame: pd.DataFrame, expectations: list) -> list:
        suite = self.gx.ExpectationSuite(name="closecredit_chunk", expectations=expectations)
        batch = self.batch_definition.get_batch(batch_parameters={"dataframe": frame})
        with _configurations_built_once():
            result = batch.validate(suite, result_format=RESULT_FORMAT)
        return list(result.results)


# Expectation id -> (the expectation, its configuration), while one validation call runs.
_BUILT: ContextVar[dict | None] = ContextVar("closecredit_gx_configurations", default=None)


def _cache_configurations() -> None:
    """Make GX build an expectation's `configuration` once per validation call, not per read.

    GX 1.24 rebuilds `Expectation.configuration` (a pydantic `.dict()` and a new
    ExpectationConfiguration) every time it is read, and reads it once per kwarg while planning
    the metrics: about a third of a small batch's validation time (docs/benchmarks.md, "A
    near-empty night"). Nothing changes an expectation while it is validated, so inside
    `_configurations_built_once()` the first build is the answer; outside it, GX's own property
    runs unchanged. Installed once per process (by `GxEngine`).
    """
    from great_expectations.expectations.expectation import Expectation

    uncached = Expectation.__dict__["configuration"]
    if getattr(uncached.fget, "closecredit_cached", False):
        return

    def configuration(self):
        built = _BUILT.get()
        if built is None:
            return uncached.fget(self)
        hit = built.get(id(self))
        if hit is None or hit[0] is not self:
            hit = built[id(self)] = (self, uncached.fget(self))
        return hit[1]

    configuration.closecredit_cached = True
    Expectation.configuration = property(configuration, doc=uncached.__doc__)


def _fast_metric_ids() -> None:
    """Make GX's metric ids (`IDDict.to_id`) skip its JSON conversion when there is nothing to convert.

    GX builds ~14,000 metric configurations for the raw suites of a near-empty night, and each
    hashes its kwargs through `convert_to_json_serializable` (a chain of isinstance checks per
    value, the 180 ISO currency codes of a value set included): a seventh of the raw checks. For
    plain JSON values (exactly str, int, bool, None, finite or infinite float, list, tuple and dict
    with str keys) that conversion returns an equal value, so the same `json.dumps` gives the same
    md5: the id is GX's own. Anything else (numpy values, NaN, dates, sets, GX objects) goes
    through GX's conversion as before. Installed once per process (by `GxEngine`).
    """
    import hashlib
    import json

    from great_expectations.core.id_dict import IDDict

    gx_to_id = IDDict.__dict__["to_id"]
    if getattr(gx_to_id, "closecredit_fast", False):
        return

    def to_id(self, id_keys=None, id_ignore_keys=None):
        keys = self.keys() if id_keys is None else id_keys
        ignore = self._id_ignore_keys if id_ignore_keys is None else id_ignore_keys
        keys = set(keys) - set(ignore)
        if len(keys) < 2:
            return gx_to_id(self, id_keys, id_ignore_keys)
        data = {k: self[k] for k in keys}
        if not _plain_json(data):
            return gx_to_id(self, id_keys, id_ignore_keys)
        return hashlib.md5(
            json.dumps(data, sort_keys=True).encode("utf-8"), usedforsecurity=False
        ).hexdigest()

    to_id.closecredit_fast = True
    to_id.gx_to_id = gx_to_id
    _PLAIN_DICTS.add(IDDict)
    IDDict.to_id = to_id


_PLAIN_SCALARS = (str, int, bool, type(None))
_PLAIN_DICTS = {dict}  # and GX's IDDict, once installed (exact types: no subclass converts itself)


def _plain_json(value) -> bool:
    """True when GX's `convert_to_json_serializable` would hand `value` back unchanged in JSON."""
    kind = type(value)
    if kind in _PLAIN_SCALARS:
        return True
    if kind is float:
        return value == value  # NaN becomes null in GX's conversion
    if kind in _PLAIN_DICTS:
        return all(type(k) is str and _plain_json(v) for k, v in value.items())
    if kind is list or kind is tuple:
        return all(_plain_json(v) for v in value)
    return False


@contextmanager
def _configurations_built_once():
    token = _BUILT.set({})
    try:
        yield
    finally:
        _BUILT.reset(token)


@dataclass
class _Tally:
    config: dict
    expectation: object
    chunks: int = 0
    is_map: bool = False
    element_count: int = 0
    missing_count: int = 0
    has_missing: bool = False
    unexpected_count: int = 0
    partial: list = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    samples: list = field(default_factory=list)
    observed: list = field(default_factory=list)
    chunk_failures: int = 0
    error: str = ""
    skipped: str = ""

    @property
    def mostly(self) -> float:
        value = (self.config.get("kwargs") or {}).get("mostly", 1.0)
        return float(value) if isinstance(value, (int, float)) else 1.0

    def success(self) -> bool:
        if self.error:
            return False
        if not self.is_map:
            return self.chunk_failures == 0
        nonmissing = self.element_count - self.missing_count
        if self.unexpected_count == 0 or nonmissing <= 0:
            return True
        return (nonmissing - self.unexpected_count) / nonmissing >= self.mostly - 1e-12

    def gx_result(self) -> dict:
        if not self.is_map:
            observed = self.observed[0] if len(self.observed) == 1 else self.observed
            return {"observed_value": observed}
        nonmissing = self.element_count - self.missing_count
        result = {
            "element_count": self.element_count,
            "unexpected_count": self.unexpected_count,
            "unexpected_percent": (100.0 * self.unexpected_count / nonmissing) if nonmissing else 0.0,
            "partial_unexpected_list": self.partial[:PARTIAL_COUNT],
            "partial_unexpected_counts": [
                {"value": value, "count": count} for value, count in self.counts.most_common(PARTIAL_COUNT)
            ],
        }
        if self.has_missing:
            result["missing_count"] = self.missing_count
            result["missing_percent"] = (
                (100.0 * self.missing_count / self.element_count) if self.element_count else 0.0
            )
            result["unexpected_percent_total"] = (
                (100.0 * self.unexpected_count / self.element_count) if self.element_count else 0.0
            )
            result["unexpected_percent_nonmissing"] = result["unexpected_percent"]
        return result


class SuiteRun:
    """One suite over one night: expectations grouped by batch, results added up over chunks."""

    def __init__(self, name: str, configs: list[dict], batch_of) -> None:
        self.name = name
        self.gx = engine()
        self.tallies: dict[str, _Tally] = {}
        self.by_batch: dict[str, list[str]] = {}
        self.invalid: list[str] = []
        for position, config in enumerate(configs):
            key = f"e{position:03d}"
            try:
                expectation = self.gx.expectation(config, key)
            except ValueError as exc:
                tally = _Tally(config=config, expectation=None, error=f"invalid expectation: {exc}")
                self.tallies[key] = tally
                continue
            self.tallies[key] = _Tally(config=config, expectation=expectation)
            self.by_batch.setdefault(batch_of(config), []).append(key)
        self.started = time.perf_counter()
        self.rows = 0
        self.chunks = 0

    def keys(self, batch: str) -> list[str]:
        return [
            k
            for k in self.by_batch.get(batch, [])
            if not self.tallies[k].skipped and not self.tallies[k].error
        ]

    def skip(self, batch: str, reason: str) -> None:
        for key in self.by_batch.get(batch, []):
            self.tallies[key].skipped = reason

    def fail(self, batch: str, reason: str) -> None:
        for key in self.by_batch.get(batch, []):
            if not self.tallies[key].skipped:
                self.tallies[key].error = reason

    def validate(self, batch: str, frame: pd.DataFrame, sample_columns: list[str] | None = None) -> None:
        keys = self.keys(batch)
        if not keys:
            return
        if batch == "rows":
            self.rows += len(frame)
            self.chunks += 1
        missing = sorted(
            {c for k in keys for c in _columns(self.tallies[k].config) if c not in frame.columns}
        )
        runnable = [k for k in keys if not set(_columns(self.tallies[k].config)) & set(missing)]
        for key in set(keys) - set(runnable):
            absent = [c for c in _columns(self.tallies[key].config) if c in missing]
            self.tallies[key].error = f"the {batch} batch has no column {', '.join(absent)}"
        if not runnable:
            return
        view = gx_view(frame, [self.tallies[k].config for k in runnable])
        if frame.empty and REUSE_EMPTY_RESULTS:
            # Nothing to look at (no rows tonight, an empty mart): GX's answer is a function of the
            # expectation and the empty columns it reads, so GX is asked once per process.
            known = {k: _empty_key(self.tallies[k].config, view) for k in runnable}
            todo = [k for k in runnable if known[k] not in _EMPTY_RESULTS]
            if todo:
                for result in self.gx.validate(view, [self.tallies[k].expectation for k in todo]):
                    key = (result.expectation_config.meta or {}).get("closecredit_key")
                    if key in known:
                        _EMPTY_RESULTS[known[key]] = result
            results = [(k, _EMPTY_RESULTS.get(known[k])) for k in runnable]
        else:
            results = [
                ((result.expectation_config.meta or {}).get("closecredit_key"), result)
                for result in self.gx.validate(view, [self.tallies[k].expectation for k in runnable])
            ]
        for key, result in results:
            tally = self.tallies.get(key)
            if tally is None or result is None:
                continue
            # A failing row is shown with where it is and the value that failed.
            shown = list(dict.fromkeys([*(sample_columns or []), *_columns(tally.config)]))
            self._add(tally, result, frame, shown)

    def _add(self, tally: _Tally, result, frame: pd.DataFrame, sample_columns: list[str]) -> None:
        tally.chunks += 1
        info = result.exception_info or {}
        if info.get("raised_exception"):
            tally.error = str(info.get("exception_message") or "GX raised an exception")
            return
        values = result.result or {}
        if not result.success:
            tally.chunk_failures += 1
        if "unexpected_count" in values and "element_count" in values:
            tally.is_map = True
            tally.element_count += int(values.get("element_count") or 0)
            tally.unexpected_count += int(values.get("unexpected_count") or 0)
            if "missing_count" in values:
                tally.has_missing = True
                tally.missing_count += int(values.get("missing_count") or 0)
            room = PARTIAL_COUNT - len(tally.partial)
            if room > 0:
                tally.partial += [plain(v) for v in (values.get("partial_unexpected_list") or [])[:room]]
            for item in values.get("partial_unexpected_counts") or []:
                tally.counts[_hashable(plain(item.get("value")))] += int(item.get("count") or 0)
            room = MAX_SAMPLES - len(tally.samples)
            if room > 0:
                tally.samples += _samples(
                    values.get("partial_unexpected_index_list") or [], frame, sample_columns, room
                )
        else:
            tally.observed.append(plain(values.get("observed_value")))

    def outcomes(self) -> list[ExpectationOutcome]:
        out = []
        for tally in self.tallies.values():
            config = tally.config
            meta = config.get("meta") or {}
            outcome = ExpectationOutcome(
                type=config["type"],
                kwargs=plain(dict(config.get("kwargs") or {})),
                severity=config.get("severity", CRITICAL),
                description=config.get("description") or "",
                batch=meta.get("batch", "rows"),
                status=PASSED,
                derived=meta.get("derived"),
            )
            if tally.skipped:
                outcome.status, outcome.reason = SKIPPED, tally.skipped
            elif tally.error:
                outcome.status, outcome.reason = ERROR, tally.error
            elif tally.chunks == 0:
                outcome.status, outcome.reason = SKIPPED, "its batch had nothing to validate"
            else:
                outcome.status = PASSED if tally.success() else FAILED
                if tally.is_map:
                    nonmissing = tally.element_count - tally.missing_count
                    outcome.element_count = tally.element_count
                    outcome.unexpected_count = tally.unexpected_count
                    outcome.missing_count = tally.missing_count if tally.has_missing else None
                    outcome.unexpected_percent = (
                        (100.0 * tally.unexpected_count / nonmissing) if nonmissing else 0.0
                    )
                    outcome.unexpected_values = [
                        _unhashable(v) for v, _ in tally.counts.most_common(MAX_SAMPLES)
                    ] or tally.partial[:MAX_SAMPLES]
                    outcome.samples = tally.samples
                else:
                    outcome.observed_value = tally.observed[0] if len(tally.observed) == 1 else tally.observed
            out.append(outcome)
        return out

    def gx_result(self, night: str, asset_name: str) -> dict:
        """GX's own validation result for the night (what Data Docs renders), as JSON."""
        from great_expectations.core import ExpectationSuiteValidationResult, ExpectationValidationResult
        from great_expectations.core.run_identifier import RunIdentifier

        results = []
        for tally in self.tallies.values():
            if tally.expectation is None or tally.skipped or (tally.chunks == 0 and not tally.error):
                continue
            exception = {
                "raised_exception": bool(tally.error),
                "exception_message": tally.error or None,
                "exception_traceback": None,
            }
            results.append(
                ExpectationValidationResult(
                    success=tally.success(),
                    expectation_config=tally.expectation.configuration,
                    result=tally.gx_result() if not tally.error else {},
                    exception_info=exception,
                )
            )
        successful = sum(r.success for r in results)
        run_time = dt.datetime.now(dt.UTC)
        suite_result = ExpectationSuiteValidationResult(
            success=successful == len(results),
            results=results,
            suite_name=self.name,
            statistics={
                "evaluated_expectations": len(results),
                "successful_expectations": successful,
                "unsuccessful_expectations": len(results) - successful,
                "success_percent": (100.0 * successful / len(results)) if results else None,
            },
            meta={
                "run_id": RunIdentifier(run_name=night, run_time=run_time),
                "validation_time": run_time.strftime("%Y%m%dT%H%M%S.%fZ"),
                "active_batch_definition": {
                    "datasource_name": "closecredit",
                    "data_connector_name": "fluent",
                    "data_asset_name": asset_name,
                    "batch_identifiers": {"extract_date": night},
                },
                "batch_spec": {"rows_validated": self.rows, "chunks": self.chunks},
            },
        )
        return suite_result.to_json_dict()

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started


# GX's result for an expectation on an empty batch, by `_empty_key` (the same every night).
_EMPTY_RESULTS: dict[str, object] = {}
REUSE_EMPTY_RESULTS = True


def _empty_key(config: dict, view: pd.DataFrame) -> str:
    """An expectation on an empty batch: its type, kwargs, and the columns (with dtypes) it sees."""
    columns = _read_columns(config)
    if columns is None or not set(columns) <= set(view.columns):
        columns = list(view.columns)
    dtypes = [(c, str(view[c].dtype)) for c in dict.fromkeys(columns)]
    return json.dumps(
        [config["type"], plain(config.get("kwargs") or {}), dtypes], sort_keys=True, default=str
    )


def gx_view(frame: pd.DataFrame, configs: list[dict]) -> pd.DataFrame:
    """The columns of `frame` that `configs` read (same rows, same index), or the whole frame.

    GX's pandas engine copies the whole frame for every expectation it evaluates (the unexpected
    rows, the row-condition filter): on a raw batch of ~80 columns that was a fifth of a near-empty
    night's raw checks (docs/benchmarks.md, "Fifth pass"). A column expectation reads only its
    columns and the index, so its result is the same on the narrower frame; an expectation whose
    columns cannot be named (a table-level one, a row condition given as a query string) gets the
    whole frame.
    """
    needed: dict[str, None] = {}
    for config in configs:
        columns = _read_columns(config)
        if columns is None:
            return frame
        needed.update(dict.fromkeys(columns))
    if len(needed) >= len(frame.columns) or not set(needed) <= set(frame.columns):
        return frame
    return frame[list(needed)]


def _read_columns(config: dict) -> list[str] | None:
    """Every column an expectation reads: its domain and its row condition's; None if unknown."""
    columns = _columns(config)
    if not columns:
        return None
    condition = (config.get("kwargs") or {}).get("row_condition")
    if condition is None:
        return columns
    condition_columns = _condition_columns(condition)
    return None if condition_columns is None else [*columns, *condition_columns]


CONDITION_TYPES = {"comparison", "nullity", "and", "or"}


def _condition_columns(condition) -> list[str] | None:
    """The columns of a GX row condition in its dict form (`row_conditions.Condition`)."""
    if not isinstance(condition, dict) or condition.get("type") not in CONDITION_TYPES:
        return None
    if condition["type"] in ("and", "or"):
        out = []
        for part in condition.get("conditions") or [None]:
            columns = _condition_columns(part)
            if columns is None:
                return None
            out += columns
        return out
    column = condition.get("column")
    name = column.get("name") if isinstance(column, dict) else None
    return [name] if isinstance(name, str) else None


def _columns(config: dict) -> list[str]:
    kwargs = config.get("kwargs") or {}
    columns = [kwargs[k] for k in ("column", "column_A", "column_B") if isinstance(kwargs.get(k), str)]
    columns += [c for c in kwargs.get("column_list") or [] if isinstance(c, str)]
    return columns


def _hashable(value):
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    return value


def _unhashable(value):
    if isinstance(value, tuple) and all(isinstance(v, tuple) and len(v) == 2 for v in value):
        return {k: _unhashable(v) for k, v in value}
    if isinstance(value, tuple):
        return [_unhashable(v) for v in value]
    return value


def _samples(index_list: list, frame: pd.DataFrame, sample_columns: list[str], room: int) -> list[dict]:
    """Failing rows named by the frame's index (the raw row number), with identifying columns."""
    out = []
    index_name = frame.index.name or "index"
    for entry in index_list[:room]:
        entry = dict(entry) if isinstance(entry, dict) else {index_name: entry}
        position = entry.get(index_name)
        # One-row batches (a file's or a mart's profile) have no row to name.
        sample = {} if index_name == "file" else {index_name: plain(position)}
        sample.update({k: plain(v) for k, v in entry.items() if k != index_name})
        if position is not None and sample_columns and position in frame.index:
            row = frame.loc[position]
            if isinstance(row, pd.DataFrame):
                row = row.iloc[0]
            for column in sample_columns:
                if column in frame.columns and column not in sample:
                    sample[column] = plain(row[column])
        out.append(sample)
    return out
