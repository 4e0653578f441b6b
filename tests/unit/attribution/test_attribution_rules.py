"""The rule-based reference (docs/models.md, "Models" table), pinned on worked examples, edge cases
included, and cross-checked on random journeys against a per-journey transcription of the table
in exact fractions (tests/.../reference.py `rule`)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from orchestration.attribution import RULE_MODELS, rule_based_fractions
from tests.unit.attribution import reference as ref


def journey(n, lc=1, oc=1, days=None, groups=None, journey_id="j"):
    """Touch rows of one journey: FT = 1, CW = n, LC and OC at the given positions."""
    return pd.DataFrame(
        {
            "journey_id": journey_id,
            "position": range(1, n + 1),
            "n": n,
            "is_ft": [p == 1 for p in range(1, n + 1)],
            "is_lc": [p == lc for p in range(1, n + 1)],
            "is_oc": [p == oc for p in range(1, n + 1)],
            "is_cw": [p == n for p in range(1, n + 1)],
            "days_before_close": days if days is not None else [0] * n,
            "group": groups if groups is not None else ["marketing"] * n,
        }
    )


def fractions(model, touches, **kwargs):
    return rule_based_fractions(touches, model, **kwargs).tolist()


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, [1.0]),
        (2, [0.5, 0.5]),
        (3, [0.4, 0.2, 0.4]),
        (5, [0.4, 0.2 / 3, 0.2 / 3, 0.2 / 3, 0.4]),
    ],
)
def test_position_based(n, expected):
    """40/20/40: 1 touch 100%; 2 touches 50/50; 3 touches 40/20/40; 5 touches 40, 20/3 x 3, 40."""
    assert fractions("position_based", journey(n)) == pytest.approx(expected, abs=1e-12)


def test_time_decay_with_a_seven_day_half_life():
    """h = 7: touches 14, 7 and 0 days before close weigh 2^-2, 2^-1, 2^0 = 1/4, 1/2, 1;
    sum 7/4, so 1/7, 2/7, 4/7. A touch 21 days out next to one at 0: 1/8 vs 1 -> 1/9, 8/9."""
    assert fractions("time_decay", journey(3, days=[14, 7, 0])) == pytest.approx(
        [1 / 7, 2 / 7, 4 / 7], abs=1e-12
    )
    assert fractions("time_decay", journey(2, days=[21, 0])) == pytest.approx([1 / 9, 8 / 9], abs=1e-12)


def test_time_decay_other_half_life_and_equal_days():
    """h = 2: 3 and 1 days out weigh 2^-1.5 and 2^-0.5: fractions 1/3 and 2/3. Same day: equal."""
    w = [2**-1.5, 2**-0.5]
    got = fractions("time_decay", journey(2, days=[3, 1]), half_life_days=2.0)
    assert got == pytest.approx([w[0] / sum(w), w[1] / sum(w)], abs=1e-12)
    assert fractions("time_decay", journey(4, days=[5, 5, 5, 5])) == pytest.approx([0.25] * 4)


def test_time_decay_survives_a_tiny_half_life():
    """2^(-365/0.01) underflows; the fractions are still defined (all to the nearest touch)."""
    assert fractions("time_decay", journey(2, days=[365, 0]), half_life_days=0.01) == [0.0, 1.0]


def test_first_last_linear():
    assert fractions("first_touch", journey(4)) == [1, 0, 0, 0]
    assert fractions("last_touch", journey(4)) == [0, 0, 0, 1]
    assert fractions("linear", journey(4)) == [0.25] * 4
    assert fractions("first_touch", journey(1)) == fractions("last_touch", journey(1)) == [1.0]


def test_last_non_direct():
    """The last touch whose group is not direct; all direct -> CW."""
    groups = ["marketing", "sales", "direct", "direct"]
    assert fractions("last_non_direct", journey(4, groups=groups)) == [0, 1, 0, 0]
    assert fractions("last_non_direct", journey(3, groups=["direct"] * 3)) == [0, 0, 1]
    assert fractions("last_non_direct", journey(2, groups=["direct", "community"])) == [0, 1]


@pytest.mark.parametrize(
    ("n", "lc", "expected"),
    [
        (5, 4, [0.4, 0.1, 0.1, 0.4, 0.0]),  # middle 2, 3; CW outside the range
        (5, 3, [0.4, 0.2, 0.4, 0.0, 0.0]),
        (5, 2, [0.5, 0.5, 0.0, 0.0, 0.0]),  # no middle -> 50/50
        (5, 1, [1.0, 0.0, 0.0, 0.0, 0.0]),  # FT = LC -> 100%
        (1, 1, [1.0]),
    ],
)
def test_u_shaped(n, lc, expected):
    """Covers 1..LC: 40 FT, 40 LC, 20 over the middle (strictly between); touches after LC get 0."""
    assert fractions("u_shaped", journey(n, lc=lc, oc=n)) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    ("n", "lc", "oc", "expected"),
    [
        (6, 3, 5, [0.3, 0.05, 0.3, 0.05, 0.3, 0.0]),  # middle 2 and 4; CW outside 1..OC
        (3, 1, 3, [0.6, 0.1, 0.3]),  # FT = LC add up: 30 + 30; the middle is position 2
        (4, 2, 3, [1 / 3, 1 / 3, 1 / 3, 0.0]),  # no middle: 10 in thirds
        (3, 1, 1, [1.0, 0.0, 0.0]),  # FT = LC = OC: 90 + 10
        (3, 2, 2, [0.3 + 0.1 / 3, 0.6 + 0.2 / 3, 0.0]),  # LC = OC, no middle: thirds add up too
    ],
)
def test_w_shaped(n, lc, oc, expected):
    """Covers 1..OC: 30 FT, 30 LC, 30 OC, 10 over the middle; no middle -> 10 in equal thirds."""
    assert fractions("w_shaped", journey(n, lc=lc, oc=oc)) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    ("n", "lc", "oc", "expected"),
    [
        (5, 2, 3, [0.225, 0.225, 0.225, 0.1, 0.225]),
        (6, 2, 4, [0.225, 0.225, 0.05, 0.225, 0.05, 0.225]),
        (4, 2, 3, [0.25, 0.25, 0.25, 0.25]),  # no middle: quarters
        (3, 1, 1, [0.675, 0.1, 0.225]),  # FT = LC = OC
        (1, 1, 1, [1.0]),
        (2, 2, 2, [0.25, 0.75]),  # LC = OC = CW, no middle
    ],
)
def test_full_path(n, lc, oc, expected):
    """Covers 1..n: 22.5 each to FT, LC, OC, CW, 10 over the middle; no middle -> quarters."""
    assert fractions("full_path", journey(n, lc=lc, oc=oc)) == pytest.approx(expected, abs=1e-12)


def test_custom_weights_from_the_seed():
    """Seed ft 0.3, lc 0.1, oc 0.2, cw 0.3, middle 0.1: n = 5, LC 2, OC 3 ->
    0.3, 0.1, 0.2, 0.1 (the middle), 0.3. No middle (n = 4): the 0.1 in quarters."""
    weights = {"ft": 0.3, "lc": 0.1, "oc": 0.2, "cw": 0.3, "middle": 0.1}
    got = fractions("custom", journey(5, lc=2, oc=3), custom_weights=weights)
    assert got == pytest.approx([0.3, 0.1, 0.2, 0.1, 0.3], abs=1e-12)
    got = fractions("custom", journey(4, lc=2, oc=3), custom_weights=weights)
    assert got == pytest.approx([0.325, 0.125, 0.225, 0.325], abs=1e-12)


def test_custom_needs_valid_weights():
    with pytest.raises(ValueError):
        rule_based_fractions(journey(3), "custom")
    with pytest.raises(ValueError):
        rule_based_fractions(journey(3), "custom", custom_weights={"ft": 1})
    with pytest.raises(ValueError, match="sum to 1"):
        rule_based_fractions(
            journey(3), "custom", custom_weights={"ft": 30, "lc": 10, "oc": 20, "cw": 30, "middle": 10}
        )
    with pytest.raises(ValueError):
        rule_based_fractions(
            journey(3), "custom", custom_weights={"ft": 1.2, "lc": -0.2, "oc": 0, "cw": 0, "middle": 0}
        )


def test_a_touch_after_cw_is_a_middle_touch():
    """One observed touch (FT = LC = OC = CW) and a self-reported answer after it at n = 2: CW
    stays on the observed touch (the journey layer's cw_position), the answer is the middle."""
    touches = journey(2).assign(is_cw=[True, False])
    assert fractions("full_path", touches) == pytest.approx([0.9, 0.1], abs=1e-12)
    weights = dict.fromkeys(("ft", "lc", "oc", "cw", "middle"), 0.2)
    assert fractions("custom", touches, custom_weights=weights) == pytest.approx([0.8, 0.2], abs=1e-12)
    assert fractions("w_shaped", touches) == pytest.approx([1.0, 0.0], abs=1e-12)
    assert fractions("position_based", touches) == pytest.approx([0.5, 0.5], abs=1e-12)  # reads no flags


@pytest.mark.parametrize(
    "touches",
    [
        journey(3, lc=3, oc=2),  # LC after OC
        journey(3).assign(is_lc=False),  # no LC
        journey(3).assign(is_cw=True),  # CW on every touch
        journey(3, oc=3).assign(is_cw=[False, True, False]),  # OC after CW
        journey(3).iloc[:2],  # position 3 missing
        journey(2).assign(position=[1, 1]),
    ],
)
def test_rejects_inconsistent_milestones(touches):
    with pytest.raises(ValueError):
        rule_based_fractions(touches, "full_path")


def test_unknown_model():
    with pytest.raises(ValueError):
        rule_based_fractions(journey(2), "legacy_handoff")


def _random_journeys(rng, count):
    frames, shapes = [], {}
    for j in range(count):
        n = int(rng.integers(1, 8))
        oc = int(rng.integers(1, n + 1))
        lc = int(rng.integers(1, oc + 1))
        days = sorted(rng.integers(0, 60, n).tolist(), reverse=True)
        groups = rng.choice(["direct", "sales", "marketing", "community"], n, p=[0.4, 0.2, 0.2, 0.2]).tolist()
        frames.append(journey(n, lc, oc, days, groups, journey_id=f"j{j}"))
        shapes[f"j{j}"] = (n, lc, oc, days, groups)
    touches = pd.concat(frames, ignore_index=True).sample(frac=1.0, random_state=1)  # any row order
    return touches, shapes


@pytest.mark.parametrize("model", RULE_MODELS)
def test_every_model_matches_the_table_on_random_journeys(model):
    """300 random journeys (1..7 touches, random LC <= OC, days, groups), rows shuffled: every
    touch's fraction equals the per-journey transcription of the table of docs/models.md."""
    rng = np.random.default_rng(23)
    touches, shapes = _random_journeys(rng, 300)
    custom = {"ft": 0.25, "lc": 0.15, "oc": 0.2, "cw": 0.3, "middle": 0.1}
    got = rule_based_fractions(touches, model, half_life_days=7.0, custom_weights=custom)
    for journey_id, (n, lc, oc, days, groups) in shapes.items():
        rows = np.flatnonzero(touches["journey_id"].to_numpy() == journey_id)
        order = rows[np.argsort(touches["position"].to_numpy()[rows])]
        expected = ref.rule(model, n, lc, oc, days, groups, 7.0, custom)
        assert got[order] == pytest.approx([float(x) for x in expected], abs=1e-12)
        assert math.isclose(got[rows].sum(), 1.0, abs_tol=1e-9)
