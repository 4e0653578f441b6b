"""Data Docs: GX's static HTML site, rebuilt every night from the saved results.

The site shows every suite (its expectations, each prefixed with what a failure does: "[blocks the
night]" or "[warning]") and the validation results of the last `DOCS_HISTORY_NIGHTS` nights. It
is built into a temporary folder and swapped in whole, so the morning reader never sees a half
built site: `<warehouse folder>/quality/data_docs/index.html`.

GX's own index page draws its tables with JavaScript from public CDNs, so offline (an air-gapped
warehouse host, CI) it shows nothing. `index.html` is therefore a static page written here: every
night's suites with their status, what failed with sample rows, and links to GX's validation and
suite pages (which render without JavaScript). GX's index is kept as `gx_index.html`.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

from orchestration.quality.config import DOCS_HISTORY_NIGHTS, data_docs_dir, results_dir

SITE = "closecredit"


def _stored_results(database: Path | None, nights: int) -> list[tuple[str, dict]]:
    root = results_dir(database)
    if not root.is_dir():
        return []
    folders = sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: p.name)[-nights:]
    out = []
    for folder in folders:
        for path in sorted(folder.glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            out.append((folder.name, data))
    return out


def build_data_docs(database: Path | None = None, nights: int = DOCS_HISTORY_NIGHTS) -> Path:
    """Rebuild the site from the saved results; returns the path of its index.html."""
    import great_expectations as gx
    from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResultSchema
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    target = data_docs_dir(database)
    target.parent.mkdir(parents=True, exist_ok=True)
    building = target.with_name(f"{target.name}.building-{os.getpid()}")
    shutil.rmtree(building, ignore_errors=True)

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.add_data_docs_site(
        site_name=SITE,
        site_config={
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(building)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    schema = ExpectationSuiteValidationResultSchema()
    latest_suite: dict[str, tuple[str, dict]] = {}
    stored = _stored_results(database, nights)
    keys: dict[tuple[str, str], ValidationResultIdentifier] = {}
    for night, data in stored:
        suite_name = data["suite"]
        gx_result = data.get("gx_result")
        notes = _suite_notes(data)
        if gx_result is None:
            latest_suite.setdefault(suite_name, (night, {"results": [], "notes": notes}))
            continue
        result = schema.load(gx_result)
        run_time = _run_time(gx_result, night)
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=suite_name),
            run_id=RunIdentifier(run_name=night, run_time=run_time),
            batch_identifier=f"{data['target']}-{night}",
        )
        context.validation_results_store.set(key, result)
        keys[(night, suite_name)] = key
        latest_suite[suite_name] = (night, {"results": gx_result.get("results") or [], "notes": notes})
    for suite_name, (_night, info) in latest_suite.items():
        expectations = []
        for item in info["results"]:
            config = dict(item["expectation_config"])
            config["kwargs"] = {k: v for k, v in (config.get("kwargs") or {}).items() if k != "batch_id"}
            config.pop("id", None)
            config.pop("rendered_content", None)
            expectations.append(ExpectationConfiguration(**config).to_domain_obj())
        suite = gx.ExpectationSuite(
            name=suite_name,
            expectations=expectations,
            meta={"notes": {"format": "markdown", "content": info["notes"]}},
        )
        context.suites.add_or_update(suite)
    # A validation result's page is a function of the result alone, and its path names the result
    # (suite, night, run time): a page of tonight's site left from the last build is copied, not
    # rendered again. Every night re-renders only its new results and the suite pages; the GX
    # index still lists every result of the window (they are all in the store).
    suite_ids = [ExpectationSuiteIdentifier(name=name) for name in latest_suite]
    reused = {
        key: page
        for key in keys.values()
        if (page := _relative(context, key, building)) and (target / page).is_file()
    }
    fresh = [key for key in keys.values() if key not in reused]
    if suite_ids or fresh:  # GX renders every resource when handed none
        context.build_data_docs(site_names=[SITE], resource_identifiers=[*suite_ids, *fresh])
    for page in reused.values():
        (building / page).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(target / page, building / page)
    links = {}
    for (night, suite_name), key in keys.items():
        links[(night, suite_name)] = _relative(context, key, building)
    suite_links = {
        name: _relative(context, ExpectationSuiteIdentifier(name=name), building) for name in latest_suite
    }
    gx_index = building / "index.html"
    if gx_index.exists():
        gx_index.rename(building / "gx_index.html")
    (building / "index.html").write_text(_index_page(stored, links, suite_links), encoding="utf-8")
    old = target.with_name(f"{target.name}.old-{os.getpid()}")
    if target.exists():
        target.rename(old)
    building.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    return target / "index.html"


def _run_time(gx_result: dict, night: str) -> dt.datetime:
    run_id = (gx_result.get("meta") or {}).get("run_id") or {}
    text = run_id.get("run_time") if isinstance(run_id, dict) else None
    try:
        return (
            dt.datetime.fromisoformat(text)
            if text
            else dt.datetime.fromisoformat(night).replace(tzinfo=dt.UTC)
        )
    except ValueError:
        return dt.datetime.fromisoformat(night).replace(tzinfo=dt.UTC)


def _suite_notes(data: dict) -> list[str]:
    lines = [
        f"Suite file: `{data.get('suite_file')}`. Expectations marked **[blocks the night]** stop the "
        "night's publish when they fail; **[warning]** ones are recorded and shown, never blocking.",
    ]
    if data.get("kind") == "raw":
        lines.append(
            "Columns, types, required flags and keys come from the extract contract "
            "(`models/staging/_contract__sources.yml`); the suite file adds the rest."
        )
    if data.get("skipped_reason"):
        lines.append(f"Skipped on {data.get('night')}: {data['skipped_reason']}.")
    return lines


def _relative(context, identifier, root: Path) -> str | None:
    for site in context.get_docs_sites_urls(
        resource_identifier=identifier, site_name=SITE, only_if_exists=False
    ):
        url = site.get("site_url")
        if url and url.startswith("file://"):
            path = Path(unquote(urlparse(url).path))
            try:
                return path.relative_to(root).as_posix()
            except ValueError:
                return None
    return None


_STATUS_STYLE = {
    "passed": "background:#d7f5dd",
    "warned": "background:#fff1c2",
    "failed": "background:#ffd6d6",
    "skipped": "background:#e8e8e8",
}
_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#222;max-width:80rem}
table{border-collapse:collapse;margin:0.5rem 0 1.5rem}td,th{border:1px solid #ccc;padding:0.3rem 0.6rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}code{font-size:0.9em}.samples{font-size:0.85em;color:#555}h2{margin-top:2rem}
"""


def _e(value) -> str:
    return html.escape("" if value is None else str(value))


def _link(href: str | None, text: str) -> str:
    return f'<a href="{_e(href)}">{_e(text)}</a>' if href else _e(text)


def _index_page(stored, links, suite_links) -> str:
    """A static page a person can read offline: per night, each suite's status and what failed."""
    by_night: dict[str, list[dict]] = {}
    for night, data in stored:
        by_night.setdefault(night, []).append(data)
    parts = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        "<title>closecredit data quality</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>closecredit data quality</h1>",
        "<p>Great Expectations suites (files in <code>expectations/</code>) run every night: raw "
        "extracts after landing, marts after the dbt build. <b>Blocking</b> expectations stop the "
        "night's publish when they fail; <b>warnings</b> are recorded here and never block. "
        'GX\'s own index (its tables need internet access): <a href="gx_index.html">gx_index.html</a>.</p>',
    ]
    if not by_night:
        parts.append("<p>No results yet.</p>")
    for night in sorted(by_night, reverse=True):
        suites = sorted(by_night[night], key=lambda d: (d.get("kind") != "raw", d["suite"]))
        tally = {}
        for data in suites:
            tally[data.get("status")] = tally.get(data.get("status"), 0) + 1
        summary = ", ".join(f"{tally.get(s, 0)} {s}" for s in ("passed", "warned", "failed", "skipped"))
        parts.append(f"<h2>Night {_e(night)}</h2><p>{_e(summary)}</p>")
        parts.append(
            "<table><tr><th>suite</th><th>status</th><th>blocking failed</th><th>warnings</th>"
            "<th>rows</th><th>result</th></tr>"
        )
        for data in suites:
            counts = data.get("counts") or {}
            status = data.get("status", "")
            note = f" ({data['skipped_reason']})" if data.get("skipped_reason") else ""
            parts.append(
                f"<tr><td>{_link(suite_links.get(data['suite']), data['suite'])}</td>"
                f'<td style="{_STATUS_STYLE.get(status, "")}">{_e(status)}{_e(note)}</td>'
                f"<td>{_e(counts.get('blocking_failed', 0))}</td><td>{_e(counts.get('warnings_failed', 0))}</td>"
                f"<td>{data.get('rows_validated', 0):,}</td>"
                f"<td>{_link(links.get((night, data['suite'])), 'validation result')}</td></tr>"
            )
        parts.append("</table>")
        failures = [
            (data, e)
            for data in suites
            for e in data.get("expectations") or []
            if e.get("status") in ("failed", "error")
        ]
        if failures:
            parts.append(
                "<h3>What failed</h3><table><tr><th>suite</th><th>severity</th><th>expectation</th>"
                "<th>found</th></tr>"
            )
            for data, failure in failures:
                parts.append(_failure_row(data, failure))
            parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _failure_row(data: dict, failure: dict) -> str:
    from orchestration.quality.results import ExpectationOutcome

    outcome = ExpectationOutcome(**failure)
    severity = "blocking" if outcome.severity == "critical" else outcome.severity
    samples = outcome.sample_lines(data.get("source_file"))
    sample_html = f'<div class="samples">sample rows: {_e("; ".join(samples))}</div>' if samples else ""
    return (
        f"<tr><td>{_e(data['suite'])}</td><td>{_e(severity)}</td>"
        f"<td>{_e(outcome.description or outcome.type)}<br><code>{_e(outcome.signature)}</code></td>"
        f"<td>{_e(outcome.finding())}{sample_html}</td></tr>"
    )
