"""tests/compare_marts.py: the one warehouse comparison the equality tests share."""

from __future__ import annotations

import duckdb
import pytest

from tests.compare_marts import differences, snapshot


def _warehouse(path, fraction: float, cost: float, rows: int = 2):
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.credit (deal varchar, credit_fraction double, cost double, run_id varchar)"
        )
        for i in range(rows):
            con.execute(
                "insert into marts.credit values (?, ?, ?, ?)", [f"d{i}", fraction, cost, f"run-{path.stem}"]
            )
    return path


@pytest.mark.parametrize(
    ("fraction", "cost", "equal"),
    [
        (0.5 + 5e-10, 1e6, True),  # fraction within 1e-9 absolute
        (0.5 + 2e-9, 1e6, False),
        (0.5, 1e6 * (1 + 5e-10), True),  # money within 1e-9 relative
        (0.5, 1e6 * (1 + 3e-9), False),
    ],
)
def test_fractions_absolute_money_relative(tmp_path, fraction, cost, equal):
    a = snapshot(_warehouse(tmp_path / "a.duckdb", 0.5, 1e6), {"marts"})
    b = snapshot(_warehouse(tmp_path / "b.duckdb", fraction, cost), {"marts"})
    assert (differences(a, b) == []) is equal  # run_id differs by nature and is left out


def test_a_missing_row_is_a_difference(tmp_path):
    a = snapshot(_warehouse(tmp_path / "a.duckdb", 0.5, 1.0), {"marts"})
    b = snapshot(_warehouse(tmp_path / "b.duckdb", 0.5, 1.0, rows=1), {"marts"})
    (problem,) = differences(a, b)
    assert problem.startswith("marts.credit: 2 vs 1 rows")
