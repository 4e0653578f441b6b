"""Vectorised text formatting for the demo extracts: ids, timestamps, dates, numbers, categories.

Everything works on whole numpy arrays and returns pyarrow string arrays (null = missing); no
per-row Python. Times are int64 seconds since the Unix epoch (UTC); NA marks a missing time.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

NA = np.int64(-(2**62))
DAY = 86_400
HOUR = 3_600
MINUTE = 60

_B62 = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", dtype=np.uint8)
_CHECKSUM = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", dtype=np.uint8)
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_MASK48 = np.uint64((1 << 48) - 1)
_MULT = np.uint64(0x9E3779B97F4B)  # odd: i -> i * MULT mod 2^48 is a bijection


def fixed_width(mat: np.ndarray) -> pa.Array:
    """Rows of an (n, w) uint8 matrix as a pyarrow string array."""
    mat = np.ascontiguousarray(mat, dtype=np.uint8)
    n, w = mat.shape
    offsets = np.arange(0, (n + 1) * w, w, dtype=np.int64)
    return pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(mat)).cast(pa.string())


def strings(values: Sequence[str | None]) -> pa.Array:
    return pa.array(list(values), type=pa.string())


def take(table: Sequence[str | None] | pa.Array, codes: np.ndarray) -> pa.Array:
    """table[codes] as strings; a negative code gives null."""
    dictionary = table if isinstance(table, pa.Array) else strings(table)
    codes = np.asarray(codes, dtype=np.int64)
    return dictionary.take(pa.array(codes, mask=codes < 0))


def const(value: str | None, n: int) -> pa.Array:
    if value is None:
        return pa.nulls(n, type=pa.string())
    return take([value], np.zeros(n, dtype=np.int64))


def nulls(n: int) -> pa.Array:
    return pa.nulls(n, type=pa.string())


def null_where(arr: pa.Array, mask: np.ndarray) -> pa.Array:
    """arr with null where mask is true."""
    if not mask.any():
        return arr
    return pc.if_else(pa.array(mask), pa.scalar(None, type=arr.type), arr)


def concat(*parts: pa.Array | str) -> pa.Array:
    """Element-wise string concatenation; a null part makes the result null."""
    arrays = [p for p in parts if not isinstance(p, str)]
    n = len(arrays[0])
    cols = [take([p], np.zeros(n, dtype=np.int64)) if isinstance(p, str) else p for p in parts]
    return pc.binary_join_element_wise(*cols, "")


# --- ids -----------------------------------------------------------------------------------------


def _bijective48(counter: np.ndarray, salt: int) -> np.ndarray:
    x = np.asarray(counter, dtype=np.uint64) + np.uint64(salt & 0xFFFFFFFF)
    return (x * _MULT) & _MASK48


def sf_ids(prefix: str, numbers: np.ndarray) -> pa.Array:
    """Salesforce-style 18-character ids: prefix(3) + pod(2) + '000' + base62(7) + checksum(3)."""
    numbers = np.asarray(numbers, dtype=np.int64)
    n = len(numbers)
    mat = np.empty((n, 18), dtype=np.uint8)
    mat[:, 0:3] = np.frombuffer(prefix.encode(), dtype=np.uint8)
    mat[:, 3:5] = np.frombuffer(b"5g", dtype=np.uint8)
    mat[:, 5:8] = ord("0")
    value = numbers.copy()
    for pos in range(14, 7, -1):
        mat[:, pos] = _B62[value % 62]
        value //= 62
    upper = (mat[:, :15] >= ord("A")) & (mat[:, :15] <= ord("Z"))
    weights = (1 << np.arange(5)).astype(np.int64)
    for chunk in range(3):
        bits = upper[:, chunk * 5 : chunk * 5 + 5].astype(np.int64) @ weights
        mat[:, 15 + chunk] = _CHECKSUM[bits]
    return fixed_width(mat)


def hex_ids(prefix: str, counter: np.ndarray, salt: int, width: int = 12) -> pa.Array:
    """prefix + `width` hex digits, unique per counter (bijective in the low 48 bits)."""
    x = _bijective48(counter, salt)
    n = len(x)
    p = np.frombuffer(prefix.encode(), dtype=np.uint8)
    mat = np.empty((n, len(p) + width), dtype=np.uint8)
    mat[:, : len(p)] = p
    for i in range(width):
        shift = np.uint64(4 * (width - 1 - i))
        mat[:, len(p) + i] = _HEX[((x >> shift) & np.uint64(0xF)).astype(np.int64)]
    return fixed_width(mat)


def uuids(counter: np.ndarray, salt: int, rng: np.random.Generator) -> pa.Array:
    """Version-4-looking UUIDs, unique per counter (the first 12 hex digits encode it)."""
    return uuid_text(counter, salt, uuid_bytes(rng, len(counter)))


def uuid_bytes(rng: np.random.Generator, n: int) -> np.ndarray:
    """The random part of n UUIDs (10 bytes each): drawn up front, formatted later by uuid_text."""
    return rng.integers(0, 256, size=(n, 10), dtype=np.uint8)


def uuid_text(counter: np.ndarray, salt: int, rand: np.ndarray) -> pa.Array:
    n = len(counter)
    head = _bijective48(counter, salt)
    nib = np.empty((n, 32), dtype=np.uint8)
    for i in range(12):
        nib[:, i] = ((head >> np.uint64(4 * (11 - i))) & np.uint64(0xF)).astype(np.uint8)
    nib[:, 12:32:2] = rand >> 4
    nib[:, 13:32:2] = rand & 15
    nib[:, 12] = 4
    nib[:, 16] = 8 + (nib[:, 16] & 3)
    hexed = _HEX[nib]
    mat = np.empty((n, 36), dtype=np.uint8)
    mat[:, 0:8] = hexed[:, 0:8]
    mat[:, 9:13] = hexed[:, 8:12]
    mat[:, 14:18] = hexed[:, 12:16]
    mat[:, 19:23] = hexed[:, 16:20]
    mat[:, 24:36] = hexed[:, 20:32]
    mat[:, [8, 13, 18, 23]] = ord("-")
    return fixed_width(mat)


# --- times ---------------------------------------------------------------------------------------


def civil(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month, day of days since 1970-01-01 (H. Hinnant's civil_from_days)."""
    z = np.asarray(days, dtype=np.int64) + 719_468
    era = np.floor_divide(z, 146_097)
    doe = z - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = np.where(mp < 10, mp + 3, mp - 9)
    y = np.where(m <= 2, y + 1, y)
    return y, m, d


def days_from_civil(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    y = np.asarray(y, dtype=np.int64) - (np.asarray(m) <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    m = np.asarray(m, dtype=np.int64)
    doy = (153 * np.where(m > 2, m - 3, m + 9) + 2) // 5 + np.asarray(d, dtype=np.int64) - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146_097 + doe - 719_468


def _put(mat: np.ndarray, col: int, values: np.ndarray, width: int) -> None:
    v = values.astype(np.int64)
    for k in range(width):
        mat[:, col + width - 1 - k] = 48 + (v // 10**k) % 10


def _iso(seconds: np.ndarray, millis: np.ndarray | None, suffix: str) -> pa.Array:
    seconds = np.asarray(seconds, dtype=np.int64)
    n = len(seconds)
    day = np.floor_divide(seconds, DAY)
    sod = seconds - day * DAY
    y, m, d = civil(day)
    s = np.frombuffer(suffix.encode(), dtype=np.uint8)
    base = 19 + (4 if millis is not None else 0)
    mat = np.empty((n, base + len(s)), dtype=np.uint8)
    _put(mat, 0, y, 4)
    mat[:, 4] = ord("-")
    _put(mat, 5, m, 2)
    mat[:, 7] = ord("-")
    _put(mat, 8, d, 2)
    mat[:, 10] = ord("T")
    _put(mat, 11, sod // 3600, 2)
    mat[:, 13] = ord(":")
    _put(mat, 14, (sod // 60) % 60, 2)
    mat[:, 16] = ord(":")
    _put(mat, 17, sod % 60, 2)
    if millis is not None:
        mat[:, 19] = ord(".")
        _put(mat, 20, millis, 3)
    if len(s):
        mat[:, base:] = s
    return fixed_width(mat)


# timestamp styles: (suffix, offset in seconds). 0 = UTC with Z, 1 = UTC without offset, 2.. = local
TS_STYLES = (
    ("Z", 0),
    ("", 0),
    ("+01:00", 3600),
    ("-05:00", -5 * 3600),
    ("+05:30", 19_800),
    ("-08:00", -8 * 3600),
)


def timestamps(
    seconds: np.ndarray, styles: np.ndarray | None = None, millis: np.ndarray | None = None
) -> pa.Array:
    """ISO-8601 timestamps; style per row from TS_STYLES (default all 'Z'); NA -> null."""
    seconds = np.asarray(seconds, dtype=np.int64)
    n = len(seconds)
    missing = seconds == NA
    safe = np.where(missing, 0, seconds)
    if styles is None:
        out = _iso(safe, millis, "Z")
    else:
        styles = np.asarray(styles, dtype=np.int64)
        order = np.argsort(styles, kind="stable")
        pieces = []
        for code in np.unique(styles):
            idx = order[styles[order] == code]
            suffix, offset = TS_STYLES[code]
            pieces.append(_iso(safe[idx] + offset, None if millis is None else millis[idx], suffix))
        inverse = np.empty(n, dtype=np.int64)
        inverse[order] = np.arange(n)
        out = pa.concat_arrays(pieces).take(pa.array(inverse)) if pieces else pa.array([], pa.string())
    return null_where(out, missing)


def dates(seconds: np.ndarray) -> pa.Array:
    seconds = np.asarray(seconds, dtype=np.int64)
    missing = seconds == NA
    y, m, d = civil(np.floor_divide(np.where(missing, 0, seconds), DAY))
    mat = np.empty((len(seconds), 10), dtype=np.uint8)
    _put(mat, 0, y, 4)
    mat[:, 4] = ord("-")
    _put(mat, 5, m, 2)
    mat[:, 7] = ord("-")
    _put(mat, 8, d, 2)
    return null_where(fixed_width(mat), missing)


def months(month_index: np.ndarray) -> pa.Array:
    """Months counted from 1970-01 as YYYY-MM."""
    mi = np.asarray(month_index, dtype=np.int64)
    mat = np.empty((len(mi), 7), dtype=np.uint8)
    _put(mat, 0, 1970 + mi // 12, 4)
    mat[:, 4] = ord("-")
    _put(mat, 5, mi % 12 + 1, 2)
    return fixed_width(mat)


def month_index(seconds: np.ndarray) -> np.ndarray:
    y, m, _ = civil(np.floor_divide(np.asarray(seconds, dtype=np.int64), DAY))
    return (y - 1970) * 12 + (m - 1)


def month_start(mi: np.ndarray) -> np.ndarray:
    mi = np.asarray(mi, dtype=np.int64)
    return days_from_civil(1970 + mi // 12, mi % 12 + 1, np.ones_like(mi)) * DAY


# --- numbers and booleans --------------------------------------------------------------------------


def numbers(values: np.ndarray, decimals: int = 2, missing: np.ndarray | None = None) -> pa.Array:
    """Shortest round-trip text of the values rounded to `decimals` (integers without '.0')."""
    values = np.round(np.asarray(values, dtype=np.float64), decimals)
    if decimals == 0:
        out = pc.cast(pa.array(values.astype(np.int64)), pa.string())
    else:
        out = pc.cast(pa.array(values), pa.string())
    return out if missing is None else null_where(out, missing)


def integers(values: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.string())


BOOL_SPELLINGS = ("false", "true", "FALSE", "TRUE", "0", "1")


def booleans(values: np.ndarray, rng: np.random.Generator | None = None, odd_rate: float = 0.0) -> pa.Array:
    """'true'/'false'; with odd_rate a few rows spelled TRUE/FALSE or 1/0 (all valid booleans)."""
    return take(BOOL_SPELLINGS, boolean_codes(values, rng, odd_rate))


def boolean_codes(
    values: np.ndarray, rng: np.random.Generator | None = None, odd_rate: float = 0.0
) -> np.ndarray:
    """The spelling of each boolean, as an index into BOOL_SPELLINGS (drawn now, written later)."""
    codes = np.asarray(values, dtype=np.int64)
    if rng is not None and odd_rate > 0:
        u = rng.random(len(codes))
        codes = np.where(u < odd_rate, codes + 2, np.where(u < 1.5 * odd_rate, codes + 4, codes))
    return codes.astype(np.int8)
