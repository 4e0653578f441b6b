"""Data quality: Great Expectations suites kept as files in `expectations/`, run night by night.

- `suites`: read and check the suite files (no GX import);
- `derive`: the expectations the extract contract implies (columns, types, required, keys);
- `raw` / `marts`: the batches of a raw object's night and of a mart, streamed from DuckDB in
  chunks so memory stays bounded;
- `engine`: GX (imported lazily) validating chunks through its pandas path, results added up;
- `results`: outcomes in words, saved beside the warehouse, and the run summary's section;
- `docs`: the Data Docs site, rebuilt every night;
- `run`: one night's raw or mart suites, end to end.

The Dagster asset checks that call these live in `orchestration/defs/quality.py`.
"""
