"""Markov removal effect (docs/models.md, "markov"): exact absorption probabilities, removal effects, the
population view and the per-journey split, pinned on worked examples and cross-checked against a
straightforward rational re-solve of the chain per removed channel (tests/.../reference.py)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from orchestration.attribution import markov_credits, markov_removal_effects, transform_paths
from tests.unit.attribution import reference as ref

TOY = {"j1": ["C1", "C2", "C3"], "j2": ["C1"], "j3": ["C2", "C3"]}
TOY_WON = {"j1": True, "j2": False, "j3": False}


def _fit(paths: dict, converted: dict, transform="unique"):
    transformed = transform_paths(ref.touches_table(paths), transform)
    return transformed, markov_removal_effects(transformed, ref.outcomes_table(converted))


def _re(fit) -> dict:
    return dict(zip(fit.removal_effects["channel"], fit.removal_effects["removal_effect"], strict=True))


def test_classic_three_path_example():
    """The widely reproduced toy example (Anderl et al. 2014; S. Bryl's ChannelAttribution post):
    C1 > C2 > C3 > conv, C1 > null, C2 > C3 > null.

    Transitions: start -> C1 2/3, start -> C2 1/3; C1 -> C2 1/2, C1 -> null 1/2; C2 -> C3 1;
    C3 -> conv 1/2, C3 -> null 1/2. Absorption: x(C3) = 1/2, x(C2) = 1/2, x(C1) = 1/4, so
    P(conv) = 2/3 * 1/4 + 1/3 * 1/2 = 1/3.
    Remove C1 (start -> C1 goes to null): P = 1/3 * 1/2 = 1/6, RE(C1) = 1 - (1/6)/(1/3) = 1/2.
    Remove C2: C1 -> C2 and start -> C2 go to null, nothing reaches C3: P = 0, RE(C2) = 1.
    Remove C3: C2 -> C3 goes to null: P = 0, RE(C3) = 1.
    Population view (1 conversion): RE / sum RE = 0.5/2.5, 1/2.5, 1/2.5 = 0.2, 0.4, 0.4.
    The won journey C1 > C2 > C3 is split 0.2 / 0.4 / 0.4 as well.
    """
    paths, fit = _fit(TOY, TOY_WON)
    assert fit.p_conv == pytest.approx(1 / 3, abs=1e-12)
    assert _re(fit) == pytest.approx({"C1": 0.5, "C2": 1.0, "C3": 1.0}, abs=1e-12)
    view = fit.removal_effects.set_index("channel")
    assert view["attributed_conversions"].to_dict() == pytest.approx(
        {"C1": 0.2, "C2": 0.4, "C3": 0.4}, abs=1e-12
    )
    assert view["p_conv_without"].to_dict() == pytest.approx({"C1": 1 / 6, "C2": 0.0, "C3": 0.0}, abs=1e-12)
    credits = markov_credits(paths, fit, ref.outcomes_table(TOY_WON))
    assert ref.fractions_by_journey(credits) == {"j1": pytest.approx([0.2, 0.4, 0.4], abs=1e-12)}
    # independent: the same numbers from the rational re-solve
    p, re = ref.markov([(p, TOY_WON[j]) for j, p in TOY.items()])
    assert (p, re) == (Fraction(1, 3), {"C1": Fraction(1, 2), "C2": Fraction(1), "C3": Fraction(1)})


def test_transition_table():
    """The diagnostic transition table of the toy example, counts and probabilities."""
    _, fit = _fit(TOY, TOY_WON)
    got = {(r.from_state, r.to_state): (r.transitions, r.probability) for r in fit.transitions.itertuples()}
    assert got == {
        ("start", "C1"): (2, pytest.approx(2 / 3)),
        ("start", "C2"): (1, pytest.approx(1 / 3)),
        ("C1", "C2"): (1, 0.5),
        ("C1", "null"): (1, 0.5),
        ("C2", "C3"): (2, 1.0),
        ("C3", "conv"): (1, 0.5),
        ("C3", "null"): (1, 0.5),
    }


def test_cycle_and_a_channel_on_two_positions():
    """Paths A > B > A > conv, B > null, A > conv, B > A > null: the chain has a cycle A <-> B,
    so P(conv) needs the linear solve.

    start -> A 1/2, start -> B 1/2; A -> B 1/4, A -> conv 1/2, A -> null 1/4; B -> A 2/3,
    B -> null 1/3. x(A) = 1/2 + x(B)/4, x(B) = 2/3 x(A) => x(A) = 3/5, x(B) = 2/5,
    P = (3/5 + 2/5)/2 = 1/2.
    Remove A: nothing converts, RE(A) = 1. Remove B: x(A) = 1/2, P = 1/4, RE(B) = 1/2.
    Population view (2 conversions): A 2 * 1/(3/2) = 4/3, B 2 * (1/2)/(3/2) = 2/3.
    Split of A > B > A (A counts twice): weights 1, 1/2, 1 -> 2/5, 1/5, 2/5; A alone: 100%.
    """
    journeys = {"w1": list("ABA"), "l1": ["B"], "w2": ["A"], "l2": list("BA")}
    won = {"w1": True, "l1": False, "w2": True, "l2": False}
    paths, fit = _fit(journeys, won)
    assert fit.p_conv == pytest.approx(0.5, abs=1e-12)
    assert _re(fit) == pytest.approx({"A": 1.0, "B": 0.5}, abs=1e-12)
    view = fit.removal_effects.set_index("channel")["attributed_conversions"].to_dict()
    assert view == pytest.approx({"A": 4 / 3, "B": 2 / 3}, abs=1e-12)
    credits = ref.fractions_by_journey(markov_credits(paths, fit, ref.outcomes_table(won)))
    assert credits == {"w1": pytest.approx([0.4, 0.2, 0.4], abs=1e-12), "w2": [1.0]}
    p, re = ref.markov([(p, won[j]) for j, p in journeys.items()])
    assert (p, re) == (Fraction(1, 2), {"A": Fraction(1), "B": Fraction(1, 2)})


def test_self_loops_do_not_change_removal_effects():
    """Under `unique` a repeat A > A is a self-loop; absorption probabilities ignore self-loops,
    so RE equals the exposure-collapsed chain's (A A B -> A B)."""
    journeys = {"a": list("AAB"), "b": list("BB"), "c": list("AC"), "d": list("CCA")}
    won = {"a": True, "b": False, "c": True, "d": False}
    _, unique = _fit(journeys, won, "unique")
    _, exposure = _fit(journeys, won, "exposure")
    assert _re(unique) == pytest.approx(_re(exposure), abs=1e-12)
    assert unique.p_conv == pytest.approx(exposure.p_conv, abs=1e-12)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_removal_effects_equal_a_rational_re_solve_per_channel(seed):
    """Random chains (cycles, self-loops, 5 channels): RE from the engine (one factorisation)
    equals RE from re-solving the chain with each channel's in-transitions sent to null, in exact
    rational arithmetic, to 1e-12."""
    rng = np.random.default_rng(seed)
    journeys, won = ref.random_paths(rng, 60, ["a", "b", "c", "d", "e"], max_len=6)
    _, fit = _fit(journeys, won)
    p, re = ref.markov([(journeys[j], won[j]) for j in journeys])
    assert fit.p_conv == pytest.approx(float(p), abs=1e-12)
    assert _re(fit) == pytest.approx({c: float(v) for c, v in re.items()}, abs=1e-12)


@pytest.mark.parametrize(
    "transform", ["unique", "exposure", "first", "remove_if_not_all(a)", "trim_long_path(2)"]
)
def test_credits_equal_the_reference_split(transform):
    """Per won journey: RE-proportional split of the transformed positions, mapped back to touches
    (reference: rational RE of the transformed paths, then position -> touches evenly)."""
    from orchestration.attribution import parse_transform

    name, params = parse_transform(transform)
    rng = np.random.default_rng(5)
    journeys, won = ref.random_paths(rng, 80, ["a", "b", "c", "d"])
    paths, fit = _fit(journeys, won, transform)
    credits = ref.fractions_by_journey(markov_credits(paths, fit, ref.outcomes_table(won)))
    transformed = {j: ref.transform(p, name, params) for j, p in journeys.items()}
    _, re = ref.markov([(transformed[j][0], won[j]) for j in journeys])
    assert set(credits) == {j for j in journeys if won[j]}
    for journey, got in credits.items():
        path, owner = transformed[journey]
        expected = ref.to_touches(ref.markov_position_fractions(path, re), owner)
        assert got == pytest.approx([float(x) for x in expected], abs=1e-12)


def test_all_zero_removal_effects_give_the_close_to_the_last_position():
    """RE table where the path's channels have RE 0 (X unknown to the table counts as 0): the
    last position gets 100%; under exposure the last run X X shares it, half each."""
    paths = transform_paths(ref.touches_table({"j": ["A", "X", "X"], "k": ["A", "B"]}), "exposure")
    table = pd.DataFrame({"channel": ["A", "B"], "removal_effect": [0.0, 0.25]})
    credits = ref.fractions_by_journey(markov_credits(paths, table, ["j", "k"]))
    assert credits == {"j": [0.0, 0.5, 0.5], "k": [0.0, 1.0]}


def test_credits_only_listed_converted_journeys_and_lists_every_touch():
    """A journey table credits its converted rows only; each credited touch is listed, including
    the ones standing for nothing (fraction 0) under trim_long_path."""
    paths, fit = _fit(TOY, TOY_WON, "trim_long_path(2)")
    credits = markov_credits(paths, fit, ref.outcomes_table(TOY_WON))
    assert credits["journey_id"].tolist() == ["j1"] * 3
    assert credits["path_position"].isna().tolist() == [True, False, False]
    assert credits["fraction"].iloc[0] == 0.0
    assert credits["fraction"].sum() == pytest.approx(1.0, abs=1e-12)


def test_no_conversions_gives_zero_removal_effects():
    _, fit = _fit({"a": ["A"], "b": ["B", "A"]}, {"a": False, "b": False})
    assert fit.p_conv == 0.0
    assert fit.removal_effects["removal_effect"].tolist() == [0.0, 0.0]
    assert fit.removal_effects["attributed_conversions"].tolist() == [0.0, 0.0]


def test_fits_only_the_listed_journeys():
    """Only outcomes' journeys are fitted: adding an unlisted journey's touches changes nothing;
    a listed journey without touches is skipped."""
    _, base = _fit(TOY, TOY_WON)
    paths = transform_paths(ref.touches_table({**TOY, "other": ["C3", "C1"]}), "unique")
    fit = markov_removal_effects(paths, ref.outcomes_table({**TOY_WON, "no_touch": True}))
    assert _re(fit) == pytest.approx(_re(base), abs=1e-12)
    assert fit.total_conversions == 1
    assert fit.n_journeys == 3
