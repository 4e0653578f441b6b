"""Fractribution's counterfactual (docs/models.md, "shapley"), pinned on worked examples in fractribution's
style (aggregated paths with conversions / non-conversions) and cross-checked against a
straightforward per-path rational computation (tests/.../reference.py)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from orchestration.attribution import data_driven_credits, parse_transform, shapley_credits, transform_paths
from tests.unit.attribution import reference as ref

# (path, conversions, non-conversions)
SUMMARY = [
    (["A", "B"], 3, 1),  # P = 3/4
    (["A"], 1, 3),  # P = 1/4
    (["B"], 1, 1),  # P = 1/2
    (["B", "A"], 1, 4),  # P = 1/5
    (["A", "B", "C"], 2, 0),  # P = 1
    (["A", "C"], 1, 1),  # P = 1/2
    (["C", "C"], 0, 2),  # P = 0
]


def _credits(aggregated, transform="unique"):
    journeys, won = ref.expand(aggregated)
    paths = transform_paths(ref.touches_table(journeys), transform)
    outcomes = ref.outcomes_table(won)
    return journeys, ref.fractions_by_journey(shapley_credits(paths, outcomes, outcomes))


def _first_of(journeys, path):
    return next(j for j, p in journeys.items() if p == list(path))


def test_counterfactual_marginal_contributions():
    """P(path) = conversions / (conversions + non-conversions):
    A > B: P = 3/4. Without A -> B (1/2): mc(A) = 1/4; without B -> A (1/4): mc(B) = 1/2;
      fractions 1/3, 2/3.
    A > B > C: P = 1. Without A -> B > C, never observed, P = 0: mc(A) = 1; without B -> A > C
      (1/2): mc(B) = 1/2; without C -> A > B (3/4): mc(C) = 1/4. Sum 7/4: 4/7, 2/7, 1/7.
    A > C: P = 1/2. Without A -> C, never observed: mc(A) = 1/2; without C -> A (1/4):
      mc(C) = 1/4. Fractions 2/3, 1/3.
    """
    journeys, credits = _credits(SUMMARY)
    assert credits[_first_of(journeys, "AB")] == pytest.approx([1 / 3, 2 / 3], abs=1e-12)
    assert credits[_first_of(journeys, "ABC")] == pytest.approx([4 / 7, 2 / 7, 1 / 7], abs=1e-12)
    assert credits[_first_of(journeys, "AC")] == pytest.approx([2 / 3, 1 / 3], abs=1e-12)


def test_negative_contributions_are_floored_and_all_zero_goes_to_the_last_position():
    """B > A: P = 1/5. Without B -> A (1/4): 1/5 - 1/4 < 0 -> 0; without A -> B (1/2) -> 0.
    Every mc is 0, so CW (A, the last position) gets 100%."""
    journeys, credits = _credits(SUMMARY)
    assert credits[_first_of(journeys, "BA")] == [0.0, 1.0]


def test_single_channel_paths_get_everything():
    """A (one position) and B: 100%. Under `unique`, C > C (one distinct channel) gives C 100%,
    half per position -- though C > C never converts, so it is only credited when asked."""
    journeys, credits = _credits(SUMMARY)
    assert credits[_first_of(journeys, "A")] == [1.0]
    assert credits[_first_of(journeys, "B")] == [1.0]
    paths = transform_paths(ref.touches_table({"x": ["C", "C"]}), "unique")
    got = ref.fractions_by_journey(shapley_credits(paths, ref.outcomes_table({"x": False}), ["x"]))
    assert got == {"x": [0.5, 0.5]}


def test_every_journey_of_a_path_gets_the_same_split_and_only_won_ones_are_credited():
    journeys, credits = _credits(SUMMARY)
    won = ref.expand(SUMMARY)[1]
    assert set(credits) == {j for j, w in won.items() if w}
    for journey, fractions in credits.items():
        assert fractions == credits[_first_of(journeys, journeys[journey])]


def test_counterfactual_is_looked_up_not_re_transformed():
    """Under exposure, touches A A B A become the path A > B > A (the run A A is position 1).
    Fitted: A > B > A 1 conv 1 non (P = 1/2), B > A 1 conv 3 non (1/4), A > B 0 conv 2 non (0).
    Without position 1 -> B > A: mc = 1/2 - 1/4 = 1/4; without B -> A > A, which no exposure path
    is (P = 0): mc = 1/2; without the last A -> A > B: mc = 1/2. Sum 5/4 -> 1/5, 2/5, 2/5.
    Back to touches: the run A A shares 1/5 (1/10 each), then 2/5, 2/5.
    """
    journeys = {"w": list("AABA"), "l": list("ABA"), "x1": list("BA"), "x2": list("BBA")}
    journeys |= {"x3": list("BA"), "x4": list("BA"), "y1": list("AB"), "y2": list("AB")}
    won = {"w": True, "l": False, "x1": True, "x2": False, "x3": False, "x4": False, "y1": False, "y2": False}
    paths = transform_paths(ref.touches_table(journeys), "exposure")
    credits = ref.fractions_by_journey(shapley_credits(paths, ref.outcomes_table(won), ["w"]))
    assert credits == {"w": pytest.approx([0.1, 0.1, 0.4, 0.4], abs=1e-12)}


def test_a_credited_journey_outside_the_fit_set():
    """A won journey whose path the fit never saw has P(path) = 0, so every mc is 0: CW gets 100%."""
    journeys, won = ref.expand(SUMMARY)
    journeys["old"] = ["C", "A", "B"]
    paths = transform_paths(ref.touches_table(journeys), "unique")
    got = ref.fractions_by_journey(shapley_credits(paths, ref.outcomes_table(won), ["old"]))
    assert got == {"old": [0.0, 0.0, 1.0]}


@pytest.mark.parametrize(
    "transform", ["unique", "exposure", "first", "frequency", "remove_if_not_all(a, b)", "trim_long_path(3)"]
)
def test_matches_the_reference_on_random_journeys(transform):
    """Random journeys over 4 channels (many repeated paths): every won journey's touch fractions
    equal the per-path rational computation, mapped back to touches."""
    name, params = parse_transform(transform)
    rng = np.random.default_rng(17)
    journeys, won = ref.random_paths(rng, 400, ["a", "b", "c", "d"], max_len=5)
    paths = transform_paths(ref.touches_table(journeys), transform)
    outcomes = ref.outcomes_table(won)
    credits = ref.fractions_by_journey(shapley_credits(paths, outcomes, outcomes))
    transformed = {j: ref.transform(p, name, params) for j, p in journeys.items()}
    fitted = [(transformed[j][0], won[j]) for j in journeys]
    assert set(credits) == {j for j in journeys if won[j]}
    for journey, got in credits.items():
        path, owner = transformed[journey]
        expected = ref.to_touches(ref.shapley_position_fractions(path, fitted), owner)
        assert got == pytest.approx([float(x) for x in expected], abs=1e-12)


def test_reference_itself_on_the_worked_example():
    """The reference agrees with the worked numbers above (so the random cross-check means it)."""
    fitted = [(p, w) for j, p in ref.expand(SUMMARY)[0].items() for w in [ref.expand(SUMMARY)[1][j]]]
    assert ref.shapley_position_fractions("ABC", fitted) == [Fraction(4, 7), Fraction(2, 7), Fraction(1, 7)]


def test_data_driven_credits_runs_both_models_at_once():
    journeys, won = ref.expand(SUMMARY)
    outcomes = ref.outcomes_table(won)
    result = data_driven_credits(ref.touches_table(journeys), outcomes, outcomes, "exposure")
    paths = result.paths
    assert result.shapley.equals(shapley_credits(paths, outcomes, outcomes))
    assert result.markov["fraction"].sum() == pytest.approx(sum(won.values()))
    assert len(result.markov_fit.removal_effects) == 3
