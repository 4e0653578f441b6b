"""The raw extract contract, read from the dbt sources file that holds it.

`models/staging/_contract__sources.yml` is the single machine-readable statement of the contract
(objects, columns, logical types, required flags, keys, semantics). The demo generator, the landing
and the quality suites read it through this module; the dbt staging macros read the same file
through dbt's graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

PROJECT_DIR = Path(__file__).resolve().parents[2]
CONTRACT_FILE = PROJECT_DIR / "models" / "staging" / "_contract__sources.yml"

LOGICAL_TYPES = {"text", "timestamp", "date", "month", "number", "boolean", "currency"}
SEMANTICS = {"delta", "append", "snapshot", "upsert", "restatable"}
# The forms an object's nightly file may take, by file-name suffix, CSV first (what the demo
# writes by default). One file per object per night; the landing reads each (docs/contract.md).
FILE_FORMATS = (".csv", ".csv.gz", ".parquet", ".jsonl")
# What a `meta.person` column holds: how `closecredit forget` finds a person's rows.
PERSON_IDENTITIES = ("email", "crm_id", "anonymous_id")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = False
    required_if: str | None = None
    # An optional column may be absent from a file: landing reads it as NULL (docs/contract.md).
    optional: bool = False
    min: float | None = None
    max: float | None = None
    currency_column: str | None = None
    person: str | None = None  # email | crm_id | anonymous_id: the column identifies a person


@dataclass(frozen=True)
class ContractObject:
    system: str
    name: str
    plural: str
    identifier: str
    semantics: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    # The CRM shape the object belongs to (`salesforce`, `hubspot`); None for the other systems.
    crm_source: str | None = None
    # A delta object's last-modified column (meta.modified_column; Salesforce's by default).
    modified_column: str = "system_modstamp"

    @property
    def qualified_name(self) -> str:
        """`crm.opportunity`: how people and messages name the object."""
        return f"{self.system}.{self.name}"

    @property
    def file_name(self) -> str:
        return self.file_name_as(FILE_FORMATS[0])

    def file_name_as(self, file_format: str) -> str:
        """The object's file name in one of FILE_FORMATS (`opportunity.parquet`)."""
        if file_format not in FILE_FORMATS:
            raise ValueError(f"unknown file format {file_format!r}; choose one of {', '.join(FILE_FORMATS)}")
        return f"{self.name}{file_format}"

    @property
    def relative_path(self) -> str:
        """Where the object's CSV file sits inside one night's extract folder."""
        return f"{self.system}/{self.file_name}"

    @property
    def relative_paths(self) -> list[str]:
        """Every name the object's file may have inside one night's folder, one per format."""
        return [f"{self.system}/{self.file_name_as(f)}" for f in FILE_FORMATS]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def missing_from(self, header: list[str]) -> list[str]:
        """The contract columns a file's header lacks; an optional column may be absent (NULL)."""
        return [c.name for c in self.columns if c.name not in header and not c.optional]

    @property
    def staging_model(self) -> str:
        return f"stg_{self.system}__{self.plural}"

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.qualified_name} has no column {name!r}")


def _meta(node: dict) -> dict:
    return dict((node.get("config") or {}).get("meta") or {})


def _parse(document: dict) -> tuple[ContractObject, ...]:
    objects = []
    for source in document["sources"]:
        source_meta = _meta(source)
        for table in source["tables"]:
            meta = {**source_meta, **_meta(table)}
            columns = []
            for col in table["columns"]:
                col_meta = _meta(col)
                if _meta(col).get("person") not in (None, *PERSON_IDENTITIES):
                    raise ValueError(
                        f"{CONTRACT_FILE}: {source['name']}.{table['name']}.{col['name']} has unknown "
                        f"meta.person {_meta(col)['person']!r}"
                    )
                if col["data_type"] not in LOGICAL_TYPES:
                    raise ValueError(
                        f"{CONTRACT_FILE}: {source['name']}.{table['name']}.{col['name']} has "
                        f"unknown data_type {col['data_type']!r}"
                    )
                columns.append(
                    Column(
                        name=col["name"],
                        type=col["data_type"],
                        required=bool(col_meta.get("required", False)),
                        required_if=col_meta.get("required_if"),
                        optional=bool(col_meta.get("optional", False)),
                        min=col_meta.get("min"),
                        max=col_meta.get("max"),
                        currency_column=col_meta.get("currency_column"),
                        person=col_meta.get("person"),
                    )
                )
            if meta.get("semantics") not in SEMANTICS:
                raise ValueError(f"{CONTRACT_FILE}: {source['name']}.{table['name']} has no valid semantics")
            objects.append(
                ContractObject(
                    system=source["name"],
                    name=table["name"],
                    plural=meta["plural"],
                    identifier=table["identifier"],
                    semantics=meta["semantics"],
                    key=tuple(meta["key"]),
                    columns=tuple(columns),
                    crm_source=meta.get("crm_source"),
                    modified_column=meta.get("modified_column", "system_modstamp"),
                )
            )
    return tuple(objects)


@cache
def load_contract() -> tuple[ContractObject, ...]:
    """Every contract object, in the order of the contract file."""
    with CONTRACT_FILE.open(encoding="utf-8") as handle:
        return _parse(yaml.safe_load(handle))


def crm_sources() -> tuple[str, ...]:
    """The CRM shapes the contract knows (the values var('crm_source') may take)."""
    return tuple(dict.fromkeys(o.crm_source for o in load_contract() if o.crm_source))


def objects_in_use(crm_source: str) -> tuple[ContractObject, ...]:
    """The contract objects a night lands and checks when var('crm_source') is `crm_source`: every
    object but those of the other CRM shapes."""
    if crm_source not in crm_sources():
        raise ValueError(f"crm_source {crm_source!r} is not one of {', '.join(crm_sources())}")
    return tuple(o for o in load_contract() if o.crm_source in (None, crm_source))


def get_object(system: str, name: str) -> ContractObject:
    for obj in load_contract():
        if obj.system == system and obj.name == name:
            return obj
    raise KeyError(f"the contract has no object {system}.{name}")


# --- the contract as a document ---------------------------------------------------------------
# docs/contract.md is generated from the contract file: the objects, columns, types, required
# flags, keys and semantics below come from the YAML; only the intro is hand-written here.
CONTRACT_DOC = PROJECT_DIR / "docs" / "contract.md"
REGENERATE_COMMAND = ".venv/bin/python -m orchestration.core.contract --markdown"

_TYPE_TEXT = {
    # logical type: (what the exporter writes, what staging makes of it)
    "text": ("any text", "kept as is (empty = NULL)"),
    "timestamp": (
        "ISO-8601 `YYYY-MM-DD[THH:MM[:SS[.fff]]]` (`T` or a space), optional `Z` or offset `+HH[:MM]`",
        "a UTC timestamp: an offset is applied, no offset means UTC",
    ),
    "date": ("`YYYY-MM-DD`", "a date"),
    "month": ("`YYYY-MM`", "the first day of that month (a date)"),
    "number": ("a plain decimal, optionally signed, optional exponent (`12`, `-0.5`, `1e3`)", "a double"),
    "boolean": ("`true` / `false` / `1` / `0`, any case", "a boolean"),
    "currency": (
        "an ISO 4217 code, any case",
        "upper-cased; a code missing from `seeds/iso_currencies.csv` quarantines the row",
    ),
}
_SEMANTICS_TEXT = {
    "delta": (
        "Each night brings the rows created or changed since the previous extract (the first "
        "extract is a full snapshot). Per key, the version with the latest `system_modstamp` "
        "(or the source's `meta.modified_column`: HubSpot's `property_hs_lastmodifieddate`) is "
        "current; on a tie the later extract, then the later row of the file, wins. A current "
        "version with `is_deleted = true` is a soft delete: it leaves the staged rows."
    ),
    "append": (
        "Each night brings that day's new records. A key that arrives again (a re-sent event) is a "
        "duplicate: the first arrival is kept."
    ),
    "snapshot": (
        "Each night brings the full list. The later extract's row per key is current; a key "
        "missing from the latest night is kept but flagged `is_in_latest_extract = false` "
        "(inactive, not erased)."
    ),
    "upsert": (
        "A record may come again with new values (a new `status`, a `paid_at`); the later "
        "extract's row per key is current."
    ),
    "restatable": (
        "A later extract may restate earlier rows (yesterday's spend, last month's rates): the "
        "later extract's row per key replaces the earlier one."
    ),
}

_INTRO = """\
This is what a company drops into the landing folder every night, and what closecredit promises
to do with it. `{contract_file}` is the one machine-readable statement of
it: the landing (`orchestration/night/landing.py`), the staging macros (`macros/staging/`), the
quality suites (`expectations/`) and the demo generator (`orchestration/demo/`) all read it, and
this page is generated from it.

## Landing layout

```
<extracts root>/<extract date YYYY-MM-DD>/<system>/<object>.<format>
e.g. extracts/2026-11-26/crm/opportunity.csv, extracts/2026-11-26/web/event.parquet
```

- One folder per nightly extract, named by its date. A night is read only once its folder holds
  `{success}`, an empty file the exporter writes last; a folder without it is waiting, not
  failed. Folders whose name is not a date are ignored.
- One file per object per night, in any of the formats {formats} (below); each
  night and object may use another. Two files for the same object in one night (`opportunity.csv`
  and `opportunity.parquet`) fail that object with both named. An object with no file tonight is
  recorded as `missing` in the landing log (a delta may have nothing to say), not as an error.
- Each file lands in `{raw_schema}.<system>__<object>`, every column as text, plus the landing
  metadata {metadata}.
  Landing the same file twice changes nothing; a changed file replaces that night's rows of its
  object.

## Files

- `.csv`: UTF-8 (a byte-order mark is tolerated), comma-separated, RFC 4180 quoting (a quoted
  field may span lines), one header row. An empty field is NULL.
- `.csv.gz`: the same CSV, gzip-compressed.
- `.parquet`: one Parquet file; its column names are the header. Every value lands as its text
  (Arrow's cast to string: `12`, `12.5`, `true`, `2026-11-26 09:15:00`), so exporters should write
  text columns, as the demo does (`closecredit demo --format parquet`); an empty string is NULL, a
  nested column (list, struct) fails the object.
- `.jsonl`: JSON Lines, UTF-8, one object per line (blank lines are skipped). Its columns are the
  keys of all its objects, in order of first appearance; a key an object lacks, `null` and `""`
  are NULL; a number is kept exactly as written (`1.50` stays `1.50`), `true`/`false` as text; an
  object or array as a value fails the object with the line. An empty file has no rows.
- Rows keep their order in the file: `_row_number` is the data row's place in it (1 = first).
- Header names are matched trimmed and case-insensitively, in any order.
- A column the contract does not list is kept in raw and ignored downstream: schema drift does
  not break a night. A listed column that is missing fails that object's landing with a message
  naming the file and the column; the other objects still land, and the night stops before dbt.
- A column marked *optional* may be absent from a file: its values are then NULL and the object
  lands as usual (exporters that do not have the field yet keep working).
- A file that is not UTF-8 (or not gzip, Parquet or JSON as its name says), an empty CSV, a
  header naming a column twice, or a row with the wrong number of fields fails that object with
  the file and the line. Landing never drops or repairs a row, except a forgotten person's
  (`closecredit forget`, docs/privacy.md): those are kept out, and their place recorded.

## Time zones

- Timestamps are ISO-8601. With an offset (`2026-11-26T09:15:00+01:00`) they are converted to
  UTC; without one they are taken as UTC. The warehouse stores UTC.
- Dates (`close_date`, `activity_date`, ...) and months carry no time zone. Every date the marts
  derive from a timestamp (a touch's date, its period) is taken in the reporting time zone, dbt
  var `reporting_timezone` (docs/models.md, "Time").

## Types

Staging casts each column to its logical type. A value that does not parse is never guessed at:
the row is quarantined with the column and the reason (up to 40 characters of the value, for
non-text columns only).

{types}

## Required values and quarantine

A row goes to `stg_audit__quarantine` (object, file, row number, column, reason), never silently
away, when: a required column is empty; a conditionally required column is empty while its
condition is true; a value does not parse as its type; a number is outside its bounds; a
currency is not ISO 4217. Each row is quarantined once, for its first failing column. A few bad
rows only warn; a file blocks the night when its quarantined rows pass the gate of
`macros/staging/quarantine_gate_blocks.sql` (dbt vars `max_quarantine_rate` and
`quarantine_gate_min_rows`; docs/design.md, "Flow of one night"). Money
columns name their currency column; amounts are converted to the reporting currency with
`costs/fx_rate.csv` (docs/costs-and-signals.md, "Money").

Every night, per object, `stg_audit__reconciliation` proves raw = staged + superseded +
soft-deleted + duplicate + quarantined + erased: each raw row has exactly one status (`erased`: a
forgotten person's row, removed or kept out; docs/privacy.md).

## CRM shapes

The CRM comes in one of two shapes, chosen by the dbt var `crm_source` in `dbt_project.yml`:
`salesforce` (system `crm`) or `hubspot` (system `hubspot`, as a Fivetran HubSpot connector
writes it). A night lands and checks only the objects of the shape in use (and those of every
other system); both shapes feed the same models (docs/extending.md, "A new CRM shape").

## Extract semantics

Each object declares how its nightly files relate to each other (`meta.semantics`), and its key
(`meta.key`). Rows of extracts after the dbt var `as_of_date` are not visible, so a past night
rebuilds as it was. Late data is normal (a web event may arrive days after it happened, a spend
export may restate yesterday): nothing is lost and nothing is counted twice.

{semantics}
"""

_OUTRO = """\
## Source groups

Every touch built from these objects belongs to exactly one source group: sales, marketing,
community, or direct for untagged and unclassifiable touches. The groups, with what each means,
are `seeds/mappings/source_groups.csv`. The mapping from a touch's attributes (kind, activity
type, UTMs, referrer, lead source, campaign type, partner type, owner role) to a channel, and
from a channel to its group, lives in the seeds users edit, `seeds/mappings/channel_rules.csv`
and `seeds/mappings/channels.csv`, never in SQL (docs/models.md, "Classification").
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _column_rules(obj: ContractObject, column: Column) -> str:
    rules = []
    if column.name in obj.key:
        rules.append("key")
    if column.required:
        rules.append("required")
    if column.optional:
        rules.append("optional (may be absent from the file: NULL)")
    if column.required_if:
        rules.append(f"required when `{column.required_if}` is true")
    if column.min is not None:
        rules.append(f">= {column.min:g}")
    if column.max is not None:
        rules.append(f"<= {column.max:g}")
    if column.currency_column:
        rules.append(f"money in `{column.currency_column}`")
    if column.person:
        rules.append(f"person ({column.person.replace('_', ' ')}): erasable")
    return ", ".join(rules)


def render_markdown(document: dict | None = None) -> str:
    """docs/contract.md: the hand-written intro, then every object of the contract file."""
    # imported here: landing imports this module
    from orchestration.night.landing import METADATA_COLUMNS, RAW_SCHEMA, SUCCESS_MARKER

    if document is None:
        document = yaml.safe_load(CONTRACT_FILE.read_text(encoding="utf-8"))
    objects = _parse(document)
    relative = CONTRACT_FILE.relative_to(PROJECT_DIR).as_posix()

    type_rows = ["| type | the exporter writes | staging makes it | columns |", "|---|---|---|---|"]
    for logical in sorted(LOGICAL_TYPES, key=list(_TYPE_TEXT).index):
        written, staged = _TYPE_TEXT[logical]
        names = sorted({c.name for o in objects for c in o.columns if c.type == logical})
        listed = ", ".join(f"`{n}`" for n in names) if logical != "text" else "every other column"
        type_rows.append(f"| `{logical}` | {written} | {staged} | {listed} |")

    semantic_rows = ["| semantics | objects (key) | meaning |", "|---|---|---|"]
    for semantics in sorted(SEMANTICS, key=list(_SEMANTICS_TEXT).index):
        members = [o for o in objects if o.semantics == semantics]
        if not members:
            continue
        listed = "<br>".join(f"`{o.qualified_name}` ({', '.join(o.key)})" for o in members)
        semantic_rows.append(f"| **{semantics}** | {listed} | {_SEMANTICS_TEXT[semantics]} |")

    lines = [
        "# Raw extract contract",
        "",
        f"<!-- Generated from {relative} by `{REGENERATE_COMMAND}`. Do not edit by hand:",
        "     change the YAML (or the intro in orchestration/core/contract.py) and regenerate. -->",
        "",
        _INTRO.format(
            contract_file=relative,
            raw_schema=RAW_SCHEMA,
            success=SUCCESS_MARKER,
            metadata=", ".join(f"`{c}`" for c in METADATA_COLUMNS),
            formats=", ".join(f"`{f}`" for f in FILE_FORMATS),
            types="\n".join(type_rows),
            semantics="\n".join(semantic_rows),
        ),
        "## Columns",
        "",
        f"Per system and object, as `{relative}` states them.",
    ]
    tables = {(s["name"], t["name"]): t for s in document["sources"] for t in s["tables"]}
    columns_yaml = {
        (s["name"], t["name"], c["name"]): c
        for s in document["sources"]
        for t in s["tables"]
        for c in t["columns"]
    }
    for source in document["sources"]:
        lines += ["", f"### {source['name']}", ""]
        if source.get("description"):
            lines += [source["description"].strip(), ""]
        for obj in (o for o in objects if o.system == source["name"]):
            table = tables[(obj.system, obj.name)]
            lines += [
                f"#### {obj.qualified_name}",
                "",
                f"File `{obj.relative_path}`, raw table `{RAW_SCHEMA}.{obj.identifier}`, staging model "
                f"`{obj.staging_model}`; **{obj.semantics}**, key ({', '.join(f'`{k}`' for k in obj.key)}).",
            ]
            if table.get("description"):
                lines += ["", table["description"].strip()]
            lines += ["", "| column | type | rules | notes |", "|---|---|---|---|"]
            for column in obj.columns:
                note = (columns_yaml[(obj.system, obj.name, column.name)].get("description") or "").strip()
                lines.append(
                    f"| `{column.name}` | {column.type} | {_cell(_column_rules(obj, column))} | {_cell(note)} |"
                )
            lines.append("")
    lines += ["", _OUTRO]
    text = "\n".join(lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.rstrip("\n") + "\n"


def _shown(path: Path) -> str:
    return path.relative_to(PROJECT_DIR).as_posix() if path.is_relative_to(PROJECT_DIR) else str(path)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m orchestration.core.contract",
        description=f"Write the extract contract as Markdown ({_shown(CONTRACT_DOC)}).",
    )
    parser.add_argument(
        "--markdown", action="store_true", help="write docs/contract.md from the contract file"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when docs/contract.md is out of date")
    args = parser.parse_args(argv)
    if not (args.markdown or args.check):
        parser.error("choose --markdown or --check")
    text = render_markdown()
    if args.check:
        current = CONTRACT_DOC.read_text(encoding="utf-8") if CONTRACT_DOC.exists() else ""
        if current != text:
            print(f"{_shown(CONTRACT_DOC)} is out of date: run {REGENERATE_COMMAND}")
            return 1
        return 0
    CONTRACT_DOC.write_text(text, encoding="utf-8")
    print(f"wrote {_shown(CONTRACT_DOC)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
