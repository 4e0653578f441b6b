"""Great Expectations suites as Dagster asset checks (data quality, issue 7).

Every suite yields two checks on the asset it validates, one per severity the suite file states:

- `gx_blocking` (blocking, ERROR): the suite's `critical` expectations — for a raw object the
  file-level ones (file read, contract columns present, row count against recent nights,
  freshness) and the quarantine gate; for a mart its invariants. A failure stops everything
  downstream of the asset in the run: the dbt build after raw checks, the publish after mart checks.
- `gx_warnings` (never blocking, WARN): the `warning` expectations (row-level checks whose rows
  staging quarantines, accepted values, ranges).

One `multi_asset_check` validates every raw object of the night (after the landing), and one per
step that builds marts validates that step's marts (`quality_checks(assets)`: every asset of the
code location whose name has a suite in `expectations/marts/`, the marts of both dbt builds and
the Python-built `fct_model_evaluation`). One check step per building step, not one for all marts,
so the checks of the first dbt build's marts can run (and block) before the second dbt build:
one GX import and one warehouse connection per step. Great Expectations is imported inside the
check functions only, so importing the definitions stays fast. Each run saves results beside the
warehouse and rebuilds the Data Docs (`<warehouse folder>/quality/data_docs/index.html`).
"""

import warnings
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path

import dagster as dg

from orchestration.defs.landing import landed_objects, raw_asset_key, stop_run_at
from orchestration.defs.partitions import extract_dates
from orchestration.night.catch_up import run_nights
from orchestration.ops.resources import Warehouse
from orchestration.quality.config import CRITICAL, WARNING
from orchestration.quality.suites import mart_suites, raw_suites

BLOCKING_CHECK = "gx_blocking"
WARNING_CHECK = "gx_warnings"
CHECK_SEVERITY = {BLOCKING_CHECK: CRITICAL, WARNING_CHECK: WARNING}


def _specs(asset_key: dg.AssetKey, suite_name: str, suite_file: str) -> list[dg.AssetCheckSpec]:
    metadata = {"suite": suite_name, "suite_file": suite_file}
    # The checks share the assets' extract-date partitions (a partitioned job needs them to); that
    # AssetCheckSpec argument is marked preview in Dagster 1.13, which would warn on every import.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.PreviewWarning)
        return _check_pair(asset_key, suite_name, suite_file, metadata)


def _check_pair(
    asset_key: dg.AssetKey, suite_name: str, suite_file: str, metadata: dict
) -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(
            BLOCKING_CHECK,
            asset=asset_key,
            blocking=True,
            partitions_def=extract_dates,
            description=f"GX suite {suite_name}: its critical expectations ({suite_file}); a failure "
            "stops the night's publish.",
            metadata=metadata,
        ),
        dg.AssetCheckSpec(
            WARNING_CHECK,
            asset=asset_key,
            blocking=False,
            partitions_def=extract_dates,
            description=f"GX suite {suite_name}: its warning expectations ({suite_file}); recorded and "
            "shown, never blocking.",
            metadata=metadata,
        ),
    ]


def _suite_file(path: Path) -> str:
    return f"expectations/{path.parent.name}/{path.name}"


def _raw_specs() -> list[dg.AssetCheckSpec]:
    suites = raw_suites()
    specs = []
    for obj in landed_objects():
        suite = suites[obj.qualified_name]
        specs += _specs(raw_asset_key(obj.system, obj.name), suite.name, _suite_file(suite.path))
    return specs


def mart_asset_keys(assets: Iterable[dg.AssetsDefinition]) -> dict[str, dict[str, dg.AssetKey]]:
    """The marts among `assets` that have a suite, per the node (step) that builds them: node name
    -> {mart name -> its asset key}. A mart is matched by the last part of its asset key."""
    suites = mart_suites()
    by_node: dict[str, dict[str, dg.AssetKey]] = {}
    for assets_def in assets:
        for key in sorted(assets_def.keys):
            if key.path[-1] in suites:
                by_node.setdefault(assets_def.node_def.name, {})[key.path[-1]] = key
    return by_node


def _mart_specs(asset_keys: dict[str, dg.AssetKey]) -> list[dg.AssetCheckSpec]:
    suites = mart_suites()
    specs = []
    for name, key in asset_keys.items():
        specs += _specs(key, suites[name].name, _suite_file(suites[name].path))
    return specs


def _results(
    outcomes: Iterable, asset_of: dict[str, dg.AssetKey], selected: set[dg.AssetCheckKey], docs: Path | None
) -> Iterator[dg.AssetCheckResult]:
    for outcome in outcomes:
        asset_key = asset_of[outcome.target]
        for check_name, severity in CHECK_SEVERITY.items():
            if dg.AssetCheckKey(asset_key, check_name) not in selected:
                continue
            failures = outcome.failures(severity)
            metadata = {
                "suite": outcome.suite,
                "suite_file": outcome.suite_file,
                "suite_status": outcome.status,
                "expectations": len(outcome.of_severity(severity)),
                "failed": len(failures),
                "rows_validated": outcome.rows_validated,
                "seconds": outcome.seconds,
                "report": dg.MetadataValue.md(_markdown(outcome.message(severity))),
            }
            if outcome.skipped_reason:
                metadata["skipped"] = outcome.skipped_reason
            if failures:
                metadata["failing_expectations"] = [f.description or f.signature for f in failures]
                # What a failed night prints: expectation, count, up to three rows (file, row, value).
                metadata["failures"] = dg.MetadataValue.json(outcome.failure_details(severity))
            if docs is not None:
                metadata["data_docs"] = dg.MetadataValue.path(str(docs))
            yield dg.AssetCheckResult(
                asset_key=asset_key,
                check_name=check_name,
                passed=not failures,
                severity=dg.AssetCheckSeverity.ERROR if severity == CRITICAL else dg.AssetCheckSeverity.WARN,
                description=outcome.message(severity),
                metadata=metadata,
            )


def _markdown(message: str) -> str:
    head, *rest = message.splitlines()
    return "\n".join([f"**{head}**", "", *rest]) if rest else head


def _selected_targets(selected: set[dg.AssetCheckKey], asset_of: dict[str, dg.AssetKey]) -> list[str]:
    assets = {key.asset_key for key in selected}
    return [target for target, key in asset_of.items() if key in assets]


def _build_docs(context: dg.AssetCheckExecutionContext, database: Path) -> Path | None:
    from orchestration.quality.docs import build_data_docs

    try:
        return build_data_docs(database)
    except Exception as exc:  # the docs are for people; a rendering problem must not gate data
        context.log.warning(f"Data Docs were not rebuilt: {exc!r}")
        return None


@dg.multi_asset_check(
    name="raw_quality_checks",
    specs=_raw_specs(),
    can_subset=True,
    description="Validate the raw rows of every contract object against its GX suite, night by "
    "night for each night the run landed.",
)
def raw_quality_checks(context: dg.AssetCheckExecutionContext, warehouse: Warehouse):
    from orchestration.quality.run import run_raw_night

    asset_of = {obj.qualified_name: raw_asset_key(obj.system, obj.name) for obj in landed_objects()}
    selected = set(context.selected_asset_check_keys)
    targets = set(_selected_targets(selected, asset_of))
    objects = [obj for obj in landed_objects() if obj.qualified_name in targets]
    database = warehouse.published
    shown: dict[str, object] = {}  # per object, the outcome its checks report
    # Each night of a catch-up run against its own gate, in date order (a clean later night must
    # not hide a bad earlier one); the first night that blocks stops the run there.
    for night in run_nights(context.op_execution_context.run.tags, context.partition_key):
        with warehouse.connect(read_only=True) as con:
            outcomes = run_raw_night(
                con,
                night,
                objects=objects,
                extracts_root=warehouse.settings.extracts_root,
                database=database,
                overrides=warehouse.settings.overrides,
            )
        blocked = any(outcome.failures(CRITICAL) for outcome in outcomes)
        for outcome in outcomes:
            earlier = shown.get(outcome.target)
            # The blocking night, else the latest night with warnings, else the latest night.
            if blocked or earlier is None or outcome.failures(WARNING) or not earlier.failures(WARNING):
                shown[outcome.target] = outcome
        if blocked:
            stop_run_at(context, night)
            break
    docs = _build_docs(context, database)
    if docs is not None:
        context.log.info(f"Data Docs: {docs}")
    yield from _results(shown.values(), asset_of, selected, docs)


def build_mart_checks(
    asset_keys: dict[str, dg.AssetKey], name: str = "mart_quality_checks"
) -> dg.AssetChecksDefinition | None:
    """The mart checks for the marts in `asset_keys` (mart name -> its asset); None if none."""
    specs = _mart_specs(asset_keys)
    if not specs:
        return None

    @dg.multi_asset_check(
        name=name,
        specs=specs,
        can_subset=True,
        description="Validate the marts against their GX suites (attribution invariants, cost "
        "reconciliation, no personal data, referential integrity).",
    )
    def mart_quality_checks(context: dg.AssetCheckExecutionContext, warehouse: Warehouse):
        from orchestration.quality.run import run_mart_night

        night = date.fromisoformat(context.partition_key)
        asset_of = dict(asset_keys)
        selected = set(context.selected_asset_check_keys)
        marts = _selected_targets(selected, asset_of)
        database = warehouse.published
        with warehouse.connect(read_only=True) as con:
            outcomes = run_mart_night(
                con, night, marts=marts, database=database, overrides=warehouse.settings.overrides
            )
        docs = _build_docs(context, database)
        yield from _results(outcomes, asset_of, selected, docs)

    return mart_quality_checks


def quality_checks(assets: Iterable[dg.AssetsDefinition]) -> list[dg.AssetChecksDefinition]:
    """What definitions.py registers for its `assets`: the raw checks, and the mart checks of each
    step that builds marts with a suite (`mart_quality_checks__<step>`)."""
    mart_checks = [
        build_mart_checks(keys, f"mart_quality_checks__{node}")
        for node, keys in mart_asset_keys(assets).items()
    ]
    return [raw_quality_checks, *(check for check in mart_checks if check is not None)]
