"""Input normalisation shared by the attribution engine: tables in, plain numpy arrays out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd


def as_frame(table, columns: Iterable[str], what: str) -> pd.DataFrame:
    """`table` (pandas DataFrame, pyarrow Table or a mapping of column -> array) as a DataFrame.

    Only `columns` are converted (a pyarrow table is not copied whole); a missing one is an error.
    """
    columns = list(columns)
    if isinstance(table, pd.DataFrame):
        frame = table
    elif hasattr(table, "column_names") and hasattr(table, "select"):  # pyarrow.Table
        missing = [c for c in columns if c not in table.column_names]
        if missing:
            raise ValueError(f"{what}: missing column(s) {missing}")
        frame = table.select(columns).to_pandas()
    elif isinstance(table, Mapping):
        frame = pd.DataFrame({c: table[c] for c in columns if c in table})
    else:
        raise TypeError(f"{what}: expected a pandas DataFrame, a pyarrow Table or a mapping of arrays")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what}: missing column(s) {missing}")
    return frame


def factorize(values, what: str, *, sort: bool) -> tuple[np.ndarray, pd.Index]:
    """Integer codes (int64) and the distinct values; nulls are an error."""
    codes, uniques = pd.factorize(values, sort=sort)
    codes = np.asarray(codes, dtype=np.int64)
    if codes.size and codes.min() < 0:
        raise ValueError(f"{what} has null values")
    return codes, pd.Index(uniques)


def bool_array(values, what: str) -> np.ndarray:
    """A boolean numpy array; nulls are an error."""
    series = pd.Series(values)
    if series.isna().any():
        raise ValueError(f"{what} has null values")
    return series.to_numpy(dtype=bool)


def int_array(values, what: str) -> np.ndarray:
    """An int64 numpy array of whole numbers; nulls and fractions are an error."""
    series = pd.Series(values)
    if series.isna().any():
        raise ValueError(f"{what} has null values")
    array = series.to_numpy(dtype=np.float64) if series.dtype.kind == "f" else series.to_numpy()
    out = np.asarray(array).astype(np.int64)
    if not np.array_equal(out, array):
        raise ValueError(f"{what} must hold whole numbers")
    return out
