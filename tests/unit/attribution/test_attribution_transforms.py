"""Path transforms (docs/models.md, "Paths and transforms"): the transformed path and which touches each
position stands for. The worked path is fractribution's own example, D A B B C D C C."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from orchestration.attribution import parse_transform, transform_paths
from tests.unit.attribution import reference as ref

EXAMPLE = list("DABBCDCC")


def _positions(paths, journey="j"):
    table = paths.path_positions()
    rows = table[table["journey_id"] == journey]
    return rows["channel"].tolist(), rows["touch_count"].tolist()


def _stands_for(paths, journey="j"):
    """Per original touch: the 1-based position it stands for (None) and its share."""
    table = paths.touch_map()
    rows = table[table["journey_id"] == journey].sort_values("position")
    owner = [None if pd.isna(v) else int(v) for v in rows["path_position"]]
    return owner, rows["share"].tolist()


def test_unique_keeps_the_path_as_is():
    """unique: D A B B C D C C stays; every touch stands for its own position (share 1)."""
    paths = transform_paths(ref.touches_table({"j": EXAMPLE}), "unique")
    assert _positions(paths) == (EXAMPLE, [1] * 8)
    assert _stands_for(paths) == (list(range(1, 9)), [1.0] * 8)


def test_exposure_collapses_consecutive_repeats_into_one_position():
    """exposure: D A B B C D C C -> D A B C D C (fractribution's example). The run B B is
    position 3 (two touches, half each); the run C C at the end is position 6."""
    paths = transform_paths(ref.touches_table({"j": EXAMPLE}), "exposure")
    assert _positions(paths) == (list("DABCDC"), [1, 1, 2, 1, 1, 2])
    assert _stands_for(paths) == ([1, 2, 3, 3, 4, 5, 6, 6], [1, 1, 0.5, 0.5, 1, 1, 0.5, 0.5])


def test_first_keeps_first_occurrences_and_every_occurrence_stands_for_it():
    """first: D A B B C D C C -> D A B C. D occurs twice (positions 1, 6 of the journey): both
    stand for path position 1, half each; C three times: a third each."""
    paths = transform_paths(ref.touches_table({"j": EXAMPLE}), "first")
    assert _positions(paths) == (list("DABC"), [2, 1, 2, 3])
    owner, share = _stands_for(paths)
    assert owner == [1, 2, 3, 3, 4, 1, 4, 4]
    assert share == pytest.approx([1 / 2, 1, 1 / 2, 1 / 2, 1 / 3, 1 / 2, 1 / 3, 1 / 3])


def test_frequency_is_first_with_the_count_reported():
    """frequency: D(2) A(1) B(2) C(3), fractribution's example; the path it fits is D A B C."""
    first = transform_paths(ref.touches_table({"j": EXAMPLE}), "first")
    frequency = transform_paths(ref.touches_table({"j": EXAMPLE}), "frequency")
    assert _positions(frequency) == (list("DABC"), [2, 1, 2, 3])
    assert _stands_for(frequency) == _stands_for(first)


def test_remove_if_not_all_drops_listed_channels_and_keeps_an_all_listed_path():
    """remove_if_not_all(D, C): D A B B C D C C -> A B B (dropped touches stand for nothing).
    A path of listed channels only (D C D) has nothing else, so it is kept as is."""
    paths = transform_paths(
        ref.touches_table({"j": EXAMPLE, "k": list("DCD")}), "remove_if_not_all", ["D", "C"]
    )
    assert _positions(paths) == (list("ABB"), [1, 1, 1])
    assert _stands_for(paths) == ([None, 1, 2, 3, None, None, None, None], [0, 1, 1, 1, 0, 0, 0, 0])
    assert _positions(paths, "k") == (list("DCD"), [1, 1, 1])
    assert _stands_for(paths, "k") == ([1, 2, 3], [1, 1, 1])


def test_remove_if_not_all_with_every_channel_listed_changes_nothing():
    paths = transform_paths(ref.touches_table({"j": EXAMPLE}), "remove_if_not_all(A, B, C, D)")
    assert _positions(paths) == (EXAMPLE, [1] * 8)


def test_remove_if_not_all_ignores_a_listed_channel_that_never_occurs():
    paths = transform_paths(ref.touches_table({"j": list("AB")}), "remove_if_not_all", "direct")
    assert _positions(paths) == (["A", "B"], [1, 1])


def test_trim_long_path_keeps_the_last_n_and_earlier_touches_get_nothing():
    """trim_long_path(3): D A B B C D C C -> D C C (touches 6..8); touches 1..5 stand for nothing."""
    paths = transform_paths(ref.touches_table({"j": EXAMPLE}), "trim_long_path", 3)
    assert _positions(paths) == (list("DCC"), [1, 1, 1])
    assert _stands_for(paths)[0] == [None] * 5 + [1, 2, 3]


def test_trim_long_path_leaves_a_shorter_path_alone():
    """trim_long_path(10) of an 8-touch path and trim_long_path(8): unchanged."""
    for n in (10, 8):
        paths = transform_paths(ref.touches_table({"j": EXAMPLE}), f"trim_long_path({n})")
        assert _positions(paths) == (EXAMPLE, [1] * 8)


@pytest.mark.parametrize(
    ("spec", "params", "expected"),
    [
        ("exposure", None, ("exposure", ())),
        ("trim_long_path(5)", None, ("trim_long_path", (5,))),
        ("trim_long_path", 4, ("trim_long_path", (4,))),
        ("trim_long_path", "4", ("trim_long_path", (4,))),
        (
            "remove_if_not_all(direct, 'unclassified')",
            None,
            ("remove_if_not_all", ("direct", "unclassified")),
        ),
        ("remove_if_not_all", "direct", ("remove_if_not_all", ("direct",))),
        ({"name": "remove_if_not_all", "params": ["direct"]}, None, ("remove_if_not_all", ("direct",))),
        (("trim_long_path", 2), None, ("trim_long_path", (2,))),
    ],
)
def test_parse_transform(spec, params, expected):
    assert parse_transform(spec, params) == expected


@pytest.mark.parametrize(
    ("spec", "params"),
    [
        ("shuffle", None),
        ("trim_long_path", 0),
        ("trim_long_path", 2.5),
        ("trim_long_path", None),
        ("remove_if_not_all", None),
        ("remove_if_not_all", []),
        ("exposure", 3),
        ("trim_long_path(3)", 3),
    ],
)
def test_parse_transform_rejects(spec, params):
    with pytest.raises(ValueError):
        parse_transform(spec, params)


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("unique", ()),
        ("exposure", ()),
        ("first", ()),
        ("frequency", ()),
        ("remove_if_not_all", ("c0", "c1")),
        ("trim_long_path", (3,)),
        ("trim_long_path", (1,)),
    ],
)
def test_transforms_match_the_reference_on_random_paths(name, params):
    """Against the one-journey-at-a-time reference, on 300 random paths given in shuffled row order."""
    rng = np.random.default_rng(11)
    paths, _ = ref.random_paths(rng, 300, ["c0", "c1", "c2", "c3"])
    touches = ref.touches_table(paths).sample(frac=1.0, random_state=3)
    transformed = transform_paths(
        touches, name, list(params) if name == "remove_if_not_all" else params[0] if params else None
    )
    positions = transformed.path_positions()
    touch_map = transformed.touch_map()
    for journey, path in paths.items():
        expected_path, owner = ref.transform(path, name, params)
        rows = positions[positions["journey_id"] == journey]
        assert rows["channel"].tolist() == expected_path
        assert rows["path_position"].tolist() == list(range(1, len(expected_path) + 1))
        touches_of = touch_map[touch_map["journey_id"] == journey].sort_values("position")
        got = [None if pd.isna(v) else int(v) - 1 for v in touches_of["path_position"]]
        assert got == owner
        counts = [owner.count(k) for k in range(len(expected_path))]
        assert rows["touch_count"].tolist() == counts
        assert touches_of["share"].tolist() == pytest.approx(
            [0 if o is None else 1 / counts[o] for o in owner]
        )


def test_accepts_pyarrow_and_integer_journey_ids():
    table = pa.table({"journey_id": [7, 7, 9], "position": [2, 1, 1], "channel": ["b", "a", "a"]})
    paths = transform_paths(table, "unique")
    assert paths.path_positions()["channel"].tolist() == ["a", "b", "a"]
    assert list(paths.path_strings()) == ["a > b", "a"]


@pytest.mark.parametrize(
    "rows",
    [
        [("j", 1, "a"), ("j", 3, "b")],  # gap
        [("j", 1, "a"), ("j", 1, "b")],  # repeat
        [("j", 0, "a")],  # not 1-based
        [("j", 1, None)],  # null channel
    ],
)
def test_rejects_bad_positions_and_null_channels(rows):
    with pytest.raises(ValueError):
        transform_paths(pd.DataFrame(rows, columns=["journey_id", "position", "channel"]), "unique")


def test_missing_column_is_an_error():
    with pytest.raises(ValueError, match="channel"):
        transform_paths(pd.DataFrame({"journey_id": [1], "position": [1]}), "unique")
