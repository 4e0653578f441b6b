"""The night's report: one static HTML page beside the published file (`report/index.html`), read
from the published file only, that opens offline (no server, no CDN: every chart is an SVG
rendered by Altair + vl-convert and inlined in the page).

Sections, in the order a manager asks: who really closes our deals (credit by source group under
each model beside legacy_handoff, and the credit shift); what each close costs (per budget and per
source group, by quarter); where to invest (the investment signals); which model to believe
(which model fits the user's own data and the recommended one, agreement between models, error
against the ground truth when there is one); the top channels,
campaigns and partners by credited revenue; the night's data quality and reconciliation.

Every table says which mart and rows it shows (`data-mart`, `data-where`, `data-column` on its
cells), and each chart draws exactly one mark per row of the table beneath it, so the browser test
can check the page against the published file."""

from __future__ import annotations

import html
import json
import math
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import altair as alt
import duckdb
import pandas as pd
import vl_convert

from orchestration.core.dbt_vars import project_vars
from orchestration.quality.config import data_docs_dir
from orchestration.quality.results import load_outcomes

REPORT_DIR = "report"
BASELINE_MODEL = "legacy_handoff"  # the traditional answer the marts' credit_shift is taken against
BUDGETS = ("sales", "marketing", "product")  # the product brief's three budgets (resource column)
TOP_N = 10
SIGNAL_QUARTERS = 4

# Agreement of two models in a quarter: 1 - half the summed absolute difference of their source-group
# shares of credited closes (1 = the same split, 0 = no group in common). Stated once, here.
AGREEMENT_SQL = """
with shares as (
    select period_start, attribution_model, source_group,
        credited_closes / nullif(sum(credited_closes) over (partition by period_start, attribution_model), 0)
            as share
    from marts.fct_credit_by_source
    where period_type = 'quarter' and period_start = ?
)
select a.attribution_model as model, b.attribution_model as other_model,
    1 - 0.5 * sum(abs(coalesce(a.share, 0) - coalesce(b.share, 0))) as agreement
from shares as a
join shares as b on a.source_group = b.source_group
group by all
order by all
"""


def report_path(published: Path) -> Path:
    return Path(published).parent / REPORT_DIR / "index.html"


# --- numbers as the page shows them (the test parses them back) --------------------------------


def fmt(value, kind: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if kind == "money":
        return f"{value:,.0f}"
    if kind == "count":
        return f"{value:,.2f}"
    if kind == "int":
        return f"{int(value):,}"
    if kind == "ratio":
        return f"{value:.3f}"
    if kind == "pct":
        return f"{100 * value:.1f}%"
    return html.escape(str(value))


@dataclass
class Table:
    """Rows of one mart (or a stated query) as shown on the page."""

    mart: str | None
    where: str
    columns: list[tuple[str, str, str]]  # (mart column, heading, kind)
    frame: pd.DataFrame
    caption: str = ""
    derived: str | None = None  # set when the numbers are computed from a mart (named here)

    def html(self) -> str:
        attrs = f' data-mart="{html.escape(self.mart)}"' if self.mart else ""
        attrs += f' data-where="{html.escape(self.where)}"' if self.where else ""
        attrs += f' data-derived="{html.escape(self.derived)}"' if self.derived else ""
        head = "".join(
            f'<th data-column="{c}" data-kind="{k}">{html.escape(h)}</th>' for c, h, k in self.columns
        )
        body = []
        for row in self.frame.itertuples(index=False):
            values = row._asdict()
            cells = "".join(
                f'<td data-column="{c}" class="{"num" if k in ("money", "count", "int", "ratio", "pct") else ""}">'
                f"{fmt(values[c], k)}</td>"
                for c, _, k in self.columns
            )
            body.append(f"<tr>{cells}</tr>")
        caption = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        return f"<table{attrs}>{caption}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


@dataclass
class Section:
    anchor: str
    title: str
    parts: list[str] = field(default_factory=list)


def _svg(chart: alt.TopLevelMixin, chart_id: str, rows: int) -> str:
    # Room on the left: the browser's sans-serif can be wider than the font vl-convert measures.
    chart = chart.configure_legend(orient="bottom", columns=6).properties(
        padding={"left": 40, "right": 10, "top": 5, "bottom": 5}
    )
    svg = vl_convert.vegalite_to_svg(chart.to_dict(), allowed_base_urls=[])
    return f'<figure class="chart" data-chart="{chart_id}" data-rows="{rows}">{svg}</figure>'


def _query(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pd.DataFrame:
    frame = con.execute(sql, params or []).df()
    for column in frame.columns:  # dates as the marts hold them (2026-10-01), not timestamps
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = frame[column].dt.strftime("%Y-%m-%d")
    return frame


def _kind(frame: pd.DataFrame, column: str) -> str:
    values = frame[column]
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        return "text"
    if column.endswith("share") or column.endswith("rate"):
        return "pct"
    return "int" if (values.dropna() % 1 == 0).all() else "ratio"


def _table_exists(con, schema: str, name: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, name],
        ).fetchone()[0]
    )


def _model_order(models) -> list[str]:
    """The baseline first, then the models as the mart lists them (alphabetically)."""
    models = sorted(set(models))
    return ([BASELINE_MODEL] if BASELINE_MODEL in models else []) + [m for m in models if m != BASELINE_MODEL]


# --- sections --------------------------------------------------------------------------------


def _who_closes(con, quarter: date, currency: str) -> Section:
    section = Section("who-closes", "Who really closes our deals")
    where = f"period_type = 'quarter' and period_start = date '{quarter.isoformat()}'"
    frame = _query(
        con,
        "select attribution_model, source_group, credited_closes, credited_revenue, credit_shift "
        f"from marts.fct_credit_by_source where {where}",
    )
    order = _model_order(frame["attribution_model"])
    frame["attribution_model"] = pd.Categorical(frame["attribution_model"], order, ordered=True)
    frame = frame.sort_values(["attribution_model", "source_group"]).reset_index(drop=True)
    frame["attribution_model"] = frame["attribution_model"].astype(str)
    section.parts.append(
        f"<p>Credited closes of the quarter starting {quarter.isoformat()}, by source group, under "
        f"each attribution model; <b>{BASELINE_MODEL}</b> (first bar) is the traditional answer: "
        "every close to the sales rep who took the order.</p>"
    )
    credit = (
        alt.Chart(frame, title=f"Credited closes by source group, quarter from {quarter.isoformat()}")
        .mark_bar()
        .encode(
            y=alt.Y("attribution_model:N", sort=order, title=None, axis=alt.Axis(labelLimit=200)),
            x=alt.X("credited_closes:Q", title="credited closes", stack="zero"),
            color=alt.Color("source_group:N", title="source group"),
            order=alt.Order("source_group:N"),
            tooltip=["attribution_model", "source_group", "credited_closes"],
        )
        .properties(width=640, height=22 * len(order))
    )
    section.parts.append(_svg(credit, "credit_by_source", len(frame)))
    shifted = frame[frame["attribution_model"] != BASELINE_MODEL].reset_index(drop=True)
    shift = (
        alt.Chart(shifted, title=f"Credit shift against {BASELINE_MODEL} (credited closes)")
        .mark_bar()
        .encode(
            y=alt.Y("attribution_model:N", sort=order[1:], title=None, axis=alt.Axis(labelLimit=200)),
            yOffset=alt.YOffset("source_group:N"),
            x=alt.X("credit_shift:Q", title=f"credited closes minus {BASELINE_MODEL}'s"),
            color=alt.Color("source_group:N", title="source group"),
            tooltip=["attribution_model", "source_group", "credit_shift"],
        )
        .properties(width=640, height=40 * max(len(order) - 1, 1))
    )
    section.parts.append(_svg(shift, "credit_shift", len(shifted)))
    section.parts.append(
        Table(
            "fct_credit_by_source",
            where,
            [
                ("attribution_model", "model", "text"),
                ("source_group", "source group", "text"),
                ("credited_closes", "credited closes", "count"),
                ("credited_revenue", f"credited revenue ({currency})", "money"),
                ("credit_shift", f"shift vs {BASELINE_MODEL}", "count"),
            ],
            frame,
        ).html()
    )
    return section


def _costs(con, model: str, currency: str) -> Section:
    section = Section("costs", "What each close costs")
    section.parts.append(
        f"<p>Cost per close ({currency}) by fiscal quarter under <b>{model}</b> (the model the "
        "investment signals read): per budget, then per source group. A bar is missing where no close "
        "was credited (cost per close undefined).</p>"
    )
    for mart, key, heading, keep in (
        ("fct_cost_per_close_by_resource", "resource", "budget", BUDGETS),
        ("fct_cost_per_close", "source_group", "source group", None),
    ):
        where = f"period_type = 'quarter' and attribution_model = '{model}' and cost_per_close is not null"
        if keep:
            where += f" and {key} in ({', '.join(repr(k) for k in keep)})"
        frame = _query(
            con,
            f"select period_start, {key}, cost, credited_closes, cost_per_close from marts.{mart} "
            f"where {where} order by period_start, {key}",
        )
        frame["quarter"] = frame["period_start"].astype(str)
        chart = (
            alt.Chart(frame, title=f"Cost per close per {heading} and quarter ({currency})")
            .mark_bar()
            .encode(
                x=alt.X("quarter:O", title="quarter starting"),
                xOffset=alt.XOffset(f"{key}:N"),
                y=alt.Y("cost_per_close:Q", title=f"cost per close ({currency})"),
                color=alt.Color(f"{key}:N", title=heading),
                tooltip=["quarter", key, "cost_per_close"],
            )
            .properties(width=640, height=260)
        )
        section.parts.append(_svg(chart, f"{mart}", len(frame)))
        section.parts.append(_trend(frame, key, currency))
        section.parts.append(
            Table(
                mart,
                where,
                [
                    ("period_start", "quarter starting", "text"),
                    (key, heading, "text"),
                    ("cost", f"cost ({currency})", "money"),
                    ("credited_closes", "credited closes", "count"),
                    ("cost_per_close", f"cost per close ({currency})", "money"),
                ],
                frame,
            ).html()
        )
    return section


def _trend(frame: pd.DataFrame, key: str, currency: str) -> str:
    """The trend in words: each line's first and latest quarter."""
    items = []
    for name, rows in frame.groupby(key, sort=True):
        if len(rows) < 2:
            continue
        first, last = rows.iloc[0], rows.iloc[-1]
        word = "up" if last.cost_per_close > first.cost_per_close else "down"
        items.append(
            f"<li><b>{html.escape(str(name))}</b>: {word} from {fmt(first.cost_per_close, 'money')} "
            f"(quarter from {first.period_start}) to {fmt(last.cost_per_close, 'money')} {currency} (quarter from {last.period_start})</li>"
        )
    return f'<ul class="trend">{"".join(items)}</ul>' if items else ""


def _night_vars(con) -> dict:
    """The vars the published night was built with (`marts._publication.vars`, a run's `--vars`
    included), so the page describes the marts it shows."""
    (recorded,) = con.execute("select max(vars) from marts._publication").fetchone()
    return {**project_vars(), **(json.loads(recorded) if recorded else {})}


def _share(value) -> str:
    return "n/a" if value is None or value != value else f"{value:.1%}"


def _dark_funnel(con) -> list[str]:
    """The community share of the latest quarter with and without the self-reported answers
    (fct_dark_funnel): how much of the community's credit only "How did you hear about us?" shows."""
    try:
        row = con.execute(
            "select period_start, attribution_model, max(self_report_coverage), "
            "max(community_share_with_self_reports), max(community_share_without_self_reports), "
            "sum(untracked_deals)::double / nullif(sum(declared_deals), 0) from marts.fct_dark_funnel "
            "where period_type = 'quarter' group by 1, 2 order by 1 desc limit 1"
        ).fetchone()
    except duckdb.CatalogException:  # a file published before the dark funnel existed
        return []
    if row is None:
        return []
    quarter, model, coverage, with_answers, without_answers, untracked = row
    return [
        f"<p>Community share of credited closes in the quarter starting {quarter} under "
        f"{html.escape(model)}: <b>{_share(with_answers)}</b> with the self-reported answers, "
        f"{_share(without_answers)} without them (self-report coverage {_share(coverage)}; answers "
        f"whose group tracking never saw in the journey: {_share(untracked)}).</p>"
    ]


def _signal_model(con, night_vars: dict) -> str:
    """The model the page leads with: var('signal_model') as the engine resolved it
    (`fct_model_fit.is_signal_model`; `recommended` = the model-fit rule's pick)."""
    if _table_exists(con, "marts", "fct_model_fit"):
        row = con.execute(
            "select attribution_model from marts.fct_model_fit where is_signal_model"
        ).fetchone()
        if row:
            return row[0]
    return night_vars.get("signal_model")


def _model_fit(con) -> list[str]:
    """Which model fits the user's own data (fct_model_fit): held-out log-loss and AUC per model,
    and the recommended model with the rule's reason."""
    if not _table_exists(con, "marts", "fct_model_fit"):
        return []
    frame = _query(
        con,
        "select attribution_model, log_loss, auc, held_out_journeys, held_out_conversions, is_recommended, "
        "recommendation_reason, holdout_method from marts.fct_model_fit order by model_order",
    )
    if frame.empty:
        return []
    pick = frame[frame["is_recommended"]].iloc[0]
    return [
        "<p>Which model fits your own data: each model's channel credits, learned on older journeys, "
        f"predict whether the held-out journeys ({html.escape(pick.holdout_method.replace('_', ' '))}) "
        "closed (lower log-loss and higher AUC fit better; AUC 0.5 is chance). "
        f'Recommended: <b data-recommended="{html.escape(pick.attribution_model)}">'
        f"{html.escape(pick.attribution_model)}</b>, {html.escape(pick.recommendation_reason)}.</p>",
        Table(
            "fct_model_fit",
            "true",
            [
                ("attribution_model", "model", "text"),
                ("log_loss", "held-out log-loss", "ratio"),
                ("auc", "held-out AUC", "ratio"),
                ("held_out_journeys", "held-out journeys", "int"),
                ("held_out_conversions", "of which won", "int"),
                ("is_recommended", "recommended", "text"),
            ],
            frame,
            caption='Out-of-sample fit of each model (docs/models.md, "Which model fits")',
        ).html(),
    ]


def _signals(con, currency: str) -> Section:
    section = Section("invest", "Where to invest")
    section.parts += _dark_funnel(con)
    quarters = [
        r[0]
        for r in con.execute(
            "select distinct period_start from marts.fct_investment_signals where period_type = 'quarter' "
            f"order by 1 desc limit {SIGNAL_QUARTERS}"
        ).fetchall()
    ]
    if not quarters:
        minimum = _night_vars(con).get("signal_min_closes")
        section.parts.append(
            "<p>No investment signal fired in any quarter (a quarter gets signals only with at least "
            f"{minimum} credited deals, and only when a rule's threshold is crossed).</p>"
        )
        return section
    where = f"period_type = 'quarter' and period_start >= date '{quarters[-1].isoformat()}'"
    frame = _query(
        con,
        "select period_start, signal, source_group, message, metric, metric_value, threshold, credited_deals "
        f"from marts.fct_investment_signals where {where} order by period_start desc, signal, source_group",
    )
    items = "".join(
        f"<li><b>{row.period_start} · {html.escape(row.signal)}</b>: {html.escape(row.message)}</li>"
        for row in frame.itertuples()
    )
    section.parts.append(f'<ul class="signals">{items}</ul>')
    section.parts.append(
        Table(
            "fct_investment_signals",
            where,
            [
                ("period_start", "quarter starting", "text"),
                ("signal", "signal", "text"),
                ("source_group", "source group", "text"),
                ("metric", "metric", "text"),
                ("metric_value", "value", "ratio"),
                ("threshold", "threshold", "ratio"),
                ("credited_deals", "credited deals", "int"),
            ],
            frame,
            caption=f"The numbers behind each signal (money in {currency})",
        ).html()
    )
    return section


def _models(con, quarter: date) -> Section:
    section = Section("models", "Which model to believe")
    frame = _query(con, AGREEMENT_SQL, [quarter])
    order = _model_order(frame["model"])
    section.parts.append(
        f"<p>Agreement between two models in the quarter from {quarter.isoformat()}: 1 minus half the "
        "summed difference of their source-group shares of credited closes (1 = the same split). "
        "Models that agree with each other and disagree with "
        f"{BASELINE_MODEL} tell the same story about who closes.</p>"
    )
    heat = (
        alt.Chart(frame, title="Agreement between models (share of credit in common)")
        .mark_rect()
        .encode(
            x=alt.X("model:N", sort=order, title=None),
            y=alt.Y("other_model:N", sort=order, title=None),
            color=alt.Color("agreement:Q", scale=alt.Scale(domain=[0, 1], scheme="blues"), title="agreement"),
            tooltip=["model", "other_model", alt.Tooltip("agreement:Q", format=".3f")],
        )
        .properties(width=26 * len(order), height=26 * len(order))
    )
    section.parts.extend(_model_fit(con))
    section.parts.append(_svg(heat, "model_agreement", len(frame)))
    others = frame[frame["model"] != frame["other_model"]]
    per_model = (
        others.groupby("model")["agreement"]
        .mean()
        .rename("mean_agreement")
        .to_frame()
        .join(
            others[others["other_model"] == BASELINE_MODEL]
            .set_index("model")["agreement"]
            .rename("with_baseline")
        )
        .reindex(order)
        .reset_index()
    )
    section.parts.append(
        Table(
            None,
            "",
            [
                ("model", "model", "text"),
                ("mean_agreement", "mean agreement with the other models", "ratio"),
                ("with_baseline", f"agreement with {BASELINE_MODEL}", "ratio"),
            ],
            per_model,
            derived="agreement:" + quarter.isoformat(),
        ).html()
    )
    has_truth = (
        _table_exists(con, "marts", "fct_model_evaluation")
        and con.execute(
            "select count(*) from marts.fct_model_evaluation where period_type = 'quarter'"
        ).fetchone()[0]
    )
    if not has_truth:
        section.parts.append("<p>The extracts carry no ground truth: no model's error can be measured.</p>")
        return section
    where = f"period_type = 'quarter' and period_start = date '{quarter.isoformat()}'"
    errors = _query(
        con,
        f"select attribution_model, deals, deal_mae, share_mae from marts.fct_model_evaluation where {where} "
        "order by deal_mae, attribution_model",
    )
    section.parts.append(
        "<p>Error against the ground truth (demo data: the generator knows each deal's true sources). "
        "Lower is better.</p>"
    )
    chart = (
        alt.Chart(errors, title="Mean absolute error of each deal's source-group shares")
        .mark_bar()
        .encode(
            y=alt.Y(
                "attribution_model:N",
                sort=list(errors["attribution_model"]),
                title=None,
                axis=alt.Axis(labelLimit=200),
            ),
            x=alt.X("deal_mae:Q", title="per-deal share error"),
            tooltip=["attribution_model", "deal_mae", "share_mae"],
        )
        .properties(width=640, height=20 * max(len(errors), 1))
    )
    section.parts.append(_svg(chart, "model_error", len(errors)))
    section.parts.append(
        Table(
            "fct_model_evaluation",
            where,
            [
                ("attribution_model", "model", "text"),
                ("deals", "deals", "int"),
                ("deal_mae", "per-deal share error", "ratio"),
                ("share_mae", "quarter share error", "ratio"),
            ],
            errors,
        ).html()
    )
    return section


# The rankings of the top section: (chart id, what is ranked, the key, the columns shown beside it,
# the dimension mart they come from (None: the credit mart's own), the colour column). Each ranks
# the signal model's credited revenue of fct_close_credit by the key; touches without one (no
# campaign, no partner) are left out.
TOP_RANKINGS = (
    ("top_channels", "channels", "channel", ["source_group"], None, "source_group"),
    ("top_campaigns", "campaigns", "campaign_id", ["campaign_name", "channel"], "dim_campaigns", "channel"),
    ("top_partners", "partners", "partner_id", ["partner_type", "channel"], "dim_partners", "partner_type"),
)


def _ranking(con, model: str, currency: str, ranking: tuple) -> list[str]:
    chart_id, ranked, key, extra, dim, colour = ranking
    columns = ", ".join(f"{'dim' if dim else 'credit'}.{c}" for c in extra)
    join = f"left join marts.{dim} as dim on credit.{key} = dim.{key} " if dim else ""
    frame = _query(
        con,
        f"select credit.{key}, {columns}, sum(credit.credited_revenue) as credited_revenue, "
        f"sum(credit.credit_fraction) as credited_closes from marts.fct_close_credit as credit {join}"
        f"where credit.attribution_model = ? and credit.{key} is not null "
        f"group by all order by credited_revenue desc nulls last, credit.{key} limit {TOP_N}",
        [model],
    )
    # The bar's label: the campaign's name when no other shown campaign has it, else name and id.
    label = frame[key].astype(str)
    if key == "campaign_id":
        names = frame["campaign_name"].fillna(frame[key]).astype(str)
        label = names.where(~names.duplicated(keep=False), names + " (" + label + ")")
    frame.insert(0, "label", label)
    chart = (
        alt.Chart(frame, title=f"Top {TOP_N} {ranked} by credited revenue ({currency})")
        .mark_bar()
        .encode(
            y=alt.Y("label:N", sort=list(frame["label"]), title=ranked[:-1], axis=alt.Axis(labelLimit=260)),
            x=alt.X("credited_revenue:Q", title=f"credited revenue ({currency})"),
            color=alt.Color(f"{colour}:N", title=colour.replace("_", " ")),
            tooltip=[key, *extra, "credited_revenue"],
        )
        .properties(width=640, height=22 * max(len(frame), 1))
    )
    table = Table(
        None,
        "",
        [(key, key.replace("_", " "), "text")]
        + [(c, c.replace("_", " "), "text") for c in extra]
        + [
            ("credited_revenue", f"credited revenue ({currency})", "money"),
            ("credited_closes", "credited closes", "count"),
        ],
        frame,
        caption=f"Top {ranked}",
        derived=f"{chart_id}:{model}",
    )
    return [f"<h3>Top {ranked}</h3>", _svg(chart, chart_id, len(frame)), table.html()]


def _top(con, model: str, currency: str) -> Section:
    section = Section("top", "Top channels, campaigns and partners by credited revenue")
    section.parts.append(
        f"<p>Every credited deal to date under <b>{model}</b>. A campaign is a CRM campaign its "
        "responses came from; a partner is the referral partner of referral clicks, records and "
        "sessions with a referral code. Touches with neither are counted only under channels.</p>"
    )
    for ranking in TOP_RANKINGS:
        section.parts.extend(_ranking(con, model, currency, ranking))
    return section


def _quality(con, published: Path, as_of: date, report_dir: Path) -> Section:
    section = Section("quality", "Data quality and reconciliation")
    docs = data_docs_dir(published) / "index.html"
    outcomes = load_outcomes(as_of, published)
    if outcomes:
        tally = {}
        for outcome in outcomes:
            tally[outcome.status] = tally.get(outcome.status, 0) + 1
        counts = ", ".join(f"{n} {status}" for status, n in sorted(tally.items()))
        section.parts.append(f"<p>Great Expectations suites of the night: {counts}.</p>")
    else:
        section.parts.append(f"<p>No Great Expectations results were saved for {as_of}.</p>")
    if docs.exists():
        link = os.path.relpath(docs, report_dir)
        section.parts.append(
            f'<p><a href="{html.escape(link)}">The Data Docs</a> (every suite, what failed).</p>'
        )
    where = f"extract_date = date '{as_of.isoformat()}'"
    recon = _query(con, "select * from audit.reconciliation limit 0")
    if "extract_date" in recon.columns:
        columns = [c for c in recon.columns if c not in ("extract_date",)]
        frame = _query(con, f"select * from audit.reconciliation where {where} order by all")
        kinds = {c: _kind(frame, c) for c in columns}
        section.parts.append(
            Table(
                "audit.reconciliation",
                where,
                [(c, c.replace("_", " "), kinds[c]) for c in columns],
                frame,
                caption=f"Reconciliation of {as_of}: raw rows = staged + superseded + soft-deleted + "
                "duplicates + quarantined + erased",
            ).html()
        )
    return section


# --- the page --------------------------------------------------------------------------------

STYLE = """
body { font-family: system-ui, sans-serif; margin: 0; color: #1b1f24; }
header, footer { background: #0f2742; color: #fff; padding: 12px 32px; }
header h1 { margin: 0 0 4px; font-size: 22px; }
.meta { font-size: 14px; }
nav { padding: 8px 32px; background: #eef2f6; font-size: 14px; }
nav a { margin-right: 16px; }
main { padding: 0 32px 32px; max-width: 1100px; }
section { border-bottom: 1px solid #d8dee4; padding-bottom: 16px; }
table { border-collapse: collapse; margin: 12px 0; font-size: 13px; }
th, td { border: 1px solid #d8dee4; padding: 3px 8px; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
figure.chart { margin: 12px 0; }
"""


def build_report(published: Path, out: Path | None = None) -> Path:
    """Write the report of the published file; returns the path of index.html."""
    published = Path(published)
    out = Path(out) if out else report_path(published)
    out.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(published), read_only=True) as con:
        night_vars = _night_vars(con)
        model = _signal_model(con, night_vars)
        as_of, run_id = con.execute("select max(as_of_date), max(run_id) from marts._publication").fetchone()
        currencies = [
            r[0]
            for r in con.execute(
                "select distinct reporting_currency from marts.fct_cost_per_close"
            ).fetchall()
        ]
        currency = currencies[0] if currencies else night_vars.get("reporting_currency")
        quarter = con.execute(
            "select max(period_start) from marts.fct_credit_by_source where period_type = 'quarter'"
        ).fetchone()[0]
        if quarter is None:
            sections = [
                Section("empty", "No credited deal yet", ["<p>The marts hold no credited close.</p>"])
            ]
        else:
            sections = [
                _who_closes(con, quarter, currency),
                _costs(con, model, currency),
                _signals(con, currency),
                _models(con, quarter),
                _top(con, model, currency),
                _quality(con, published, as_of, out.parent),
            ]
    meta = (
        f'<span class="meta">Reporting currency: <b data-meta="currency">{html.escape(currency)}</b> · '
        f'As of: <b data-meta="as_of_date">{as_of}</b> · run {html.escape(str(run_id))} · '
        f"{html.escape(str(published))}</span>"
    )
    nav = "".join(f'<a href="#{s.anchor}">{html.escape(s.title)}</a>' for s in sections)
    body = "".join(
        f'<section id="{s.anchor}"><h2>{html.escape(s.title)}</h2>{"".join(s.parts)}</section>'
        for s in sections
    )
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>closecredit — as of {as_of}</title><style>{STYLE}</style></head><body>"
        f"<header><h1>Where our closed deals come from</h1>{meta}</header><nav>{nav}</nav>"
        f"<main>{body}</main><footer>{meta}</footer></body></html>\n"
    )
    partial = out.with_name(f".{out.name}.partial")
    partial.write_text(page, encoding="utf-8")
    os.replace(partial, out)  # a reader never sees half a page
    return out
