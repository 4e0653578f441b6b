"""Which nights are pending: the one answer the run command, the schedule, the arrival sensor and
`closecredit status` share.

A night is pending when its extract folder is complete (holds `_SUCCESS`) and the publication log
of the published file (`audit.publication_log`, written with the marts in the same rename) does not
list it. The published file is opened read-only, so asking never waits for a running night and
never writes anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from orchestration.night.landing import SUCCESS_MARKER, extract_folders
from orchestration.night.publish import published_nights

EXPECTED_LAYOUT = (
    "<extracts>/<YYYY-MM-DD>/<system>/<object>.csv (or .csv.gz, .parquet, .jsonl), one folder per "
    "night with a _SUCCESS file once the night is complete"
)


class ExtractsLayoutError(ValueError):
    """The extracts root is missing or holds no night folder; the message names the layout."""


@dataclass(frozen=True)
class Nights:
    root: Path
    folders: dict[date, Path]  # every <YYYY-MM-DD> folder, complete or not
    published: frozenset[date]  # nights the published file's publication log lists

    @property
    def complete(self) -> list[date]:
        """Nights whose folder holds `_SUCCESS`, oldest first."""
        return [d for d, folder in self.folders.items() if (folder / SUCCESS_MARKER).exists()]

    @property
    def incomplete(self) -> list[date]:
        return [d for d in self.folders if d not in set(self.complete)]

    def pending(self, start: date | None = None, end: date | None = None) -> list[date]:
        """Complete nights not published yet, oldest first, within [start, end] when given."""
        return [
            d
            for d in self.complete
            if d not in self.published and (start is None or d >= start) and (end is None or d <= end)
        ]


def read_nights(
    extracts_root: Path, published_file: Path, *, unreadable_published_ok: bool = False
) -> Nights:
    """The nights under `extracts_root` and those `published_file` lists. Raises
    ExtractsLayoutError when the root is missing or holds no night folder (so a wrong `--extracts`
    is never reported as "up to date"), duckdb.Error when the published file cannot be read
    (unless `unreadable_published_ok`: then it lists nothing)."""
    root = Path(extracts_root)
    if not root.is_dir():
        raise ExtractsLayoutError(f"extracts folder {root} does not exist; expected {EXPECTED_LAYOUT}")
    folders = extract_folders(root)
    if not folders:
        raise ExtractsLayoutError(f"{root} holds no <YYYY-MM-DD> night folder; expected {EXPECTED_LAYOUT}")
    try:
        published = published_nights(published_file)
    except duckdb.Error:
        if not unreadable_published_ok:
            raise
        published = set()
    return Nights(root, folders, frozenset(published))
