"""The report's self-reported paragraphs (orchestration/night/report.py), each read from a small
published file: the dark funnel's community share of the latest quarter under the signal model
both ways (`_dark_funnel`), and the self-report coverage beside the self_reported model
(`_self_report_coverage`)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from orchestration.night.report import _dark_funnel, _self_report_coverage

COLUMNS = (
    "period_type varchar, period_start date, source_group varchar, attribution_model varchar, "
    "self_report_coverage double, declared_deals bigint, untracked_deals bigint, "
    "community_share_with_self_reports double, community_share_without_self_reports double"
)


def _published(tmp_path: Path, rows: str) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(tmp_path / "published.duckdb"))
    con.execute("create schema marts")
    con.execute(f"create table marts.fct_dark_funnel ({COLUMNS})")
    con.execute(f"insert into marts.fct_dark_funnel values {rows}")
    return con


def test_the_paragraph_gives_the_latest_quarter_s_community_share_with_and_without_the_answers(tmp_path):
    con = _published(
        tmp_path,
        # an older quarter and a month row that must not be the one shown
        "('quarter', '2026-07-01', 'community', 'linear', 0.5, 4, 0, 0.9, 0.8), "
        "('month', '2026-11-01', 'community', 'linear', 0.1, 9, 9, 0.9, 0.1), "
        "('quarter', '2026-10-01', 'community', 'linear', 0.75, 2, 1, 0.375, 0.25), "
        "('quarter', '2026-10-01', 'marketing', 'linear', 0.75, 1, 1, 0.375, 0.25)",
    )
    (paragraph,) = _dark_funnel(con)
    assert paragraph == (
        "<p>Community share of credited closes in the quarter starting 2026-10-01 under linear: "
        "<b>37.5%</b> with the self-reported answers, 25.0% without them (self-report coverage "
        "75.0%; answers whose group tracking never saw in the journey: 66.7%).</p>"
    )


def test_a_data_driven_signal_model_has_no_share_without_the_answers(tmp_path):
    con = _published(tmp_path, "('quarter', '2026-10-01', 'community', 'markov', 0.5, 0, 0, 0.2, null)")
    (paragraph,) = _dark_funnel(con)
    assert "<b>20.0%</b> with the self-reported answers, n/a without them" in paragraph
    assert "never saw in the journey: n/a)" in paragraph


def test_a_file_published_before_the_dark_funnel_has_no_paragraph(tmp_path):
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    con.execute("create schema marts")
    assert _dark_funnel(con) == []


def test_the_self_reported_model_s_coverage_is_stated_beside_it(tmp_path):
    con = duckdb.connect(str(tmp_path / "credit.duckdb"))
    con.execute("create schema marts")
    con.execute(
        "create table marts.fct_credit_by_source as select * from (values "
        "('quarter', date '2026-10-01', 'community', 'self_reported', 0.4), "
        "('quarter', date '2026-07-01', 'community', 'self_reported', 0.9), "
        "('month', date '2026-10-01', 'community', 'self_reported', 0.1)) "
        "as t(period_type, period_start, source_group, attribution_model, self_report_coverage)"
    )
    quarter = date(2026, 10, 1)
    (paragraph,) = _self_report_coverage(con, quarter, ["legacy_handoff", "linear", "self_reported"])
    assert "40.0% of the quarter's credited deals carry an answer" in paragraph
    assert _self_report_coverage(con, quarter, ["legacy_handoff", "linear"]) == []
