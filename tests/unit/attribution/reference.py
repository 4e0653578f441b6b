"""Straightforward reference computations for the attribution tests: one journey at a time, plain
Python loops, exact `Fraction` arithmetic where the model allows it. Written from docs/models.md's
words, sharing no code with `orchestration.attribution`, so agreement means something.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Sequence
from fractions import Fraction

import numpy as np
import pandas as pd

Path = tuple[str, ...]


# --- tables ------------------------------------------------------------------------------------


def touches_table(paths: dict) -> pd.DataFrame:
    """`{journey_id: [channel, ...]}` -> touches (`journey_id, position, channel`)."""
    rows = [(j, i + 1, c) for j, path in paths.items() for i, c in enumerate(path)]
    return pd.DataFrame(rows, columns=["journey_id", "position", "channel"])


def outcomes_table(converted: dict) -> pd.DataFrame:
    return pd.DataFrame({"journey_id": list(converted), "converted": list(converted.values())})


def expand(aggregated: Sequence[tuple[Sequence[str], int, int]]) -> tuple[dict, dict]:
    """`[(path, conversions, non_conversions), ...]` -> one journey per conversion/non-conversion."""
    paths, converted = {}, {}
    for p, (path, conv, non) in enumerate(aggregated):
        for k in range(conv + non):
            paths[f"p{p}_{k}"] = list(path)
            converted[f"p{p}_{k}"] = k < conv
    return paths, converted


def fractions_by_journey(credits: pd.DataFrame) -> dict:
    """Credits table -> `{journey_id: [fraction per position, in position order]}`."""
    out = {}
    for journey, rows in credits.sort_values(["journey_id", "position"]).groupby("journey_id", sort=False):
        out[journey] = rows["fraction"].tolist()
    return out


def random_paths(rng: np.random.Generator, n_journeys: int, channels: Sequence[str], max_len: int = 7):
    """Random paths with repeats (runs and revisits) and a converted flag each."""
    paths, converted = {}, {}
    weights = np.linspace(2.0, 1.0, len(channels))
    weights /= weights.sum()
    for j in range(n_journeys):
        n = int(rng.integers(1, max_len + 1))
        path = []
        for _ in range(n):
            if path and rng.random() < 0.3:
                path.append(path[-1])
            else:
                path.append(str(rng.choice(channels, p=weights)))
        paths[f"j{j:04d}"] = path
        converted[f"j{j:04d}"] = bool(rng.random() < 0.4)
    return paths, converted


# --- path transforms ---------------------------------------------------------------------------


def transform(path: Sequence[str], name: str, params: tuple = ()) -> tuple[list[str], list[int | None]]:
    """The transformed path and, per original touch, the 0-based position it stands for (or None)."""
    path = list(path)
    if name == "unique":
        return path, list(range(len(path)))
    if name == "exposure":
        out, owner = [], []
        for i, channel in enumerate(path):
            if i == 0 or channel != path[i - 1]:
                out.append(channel)
            owner.append(len(out) - 1)
        return out, owner
    if name in ("first", "frequency"):
        out, at, owner = [], {}, []
        for channel in path:
            if channel not in at:
                at[channel] = len(out)
                out.append(channel)
            owner.append(at[channel])
        return out, owner
    if name == "remove_if_not_all":
        if all(channel in params for channel in path):
            return path, list(range(len(path)))
        out, owner = [], []
        for channel in path:
            if channel in params:
                owner.append(None)
            else:
                owner.append(len(out))
                out.append(channel)
        return out, owner
    if name == "trim_long_path":
        cut = max(len(path) - params[0], 0)
        return path[cut:], [None] * cut + list(range(len(path) - cut))
    raise ValueError(name)


def to_touches(position_fractions: Sequence, owner: Sequence[int | None]) -> list:
    """A position's credit divided evenly among the touches standing for it; others get 0."""
    stands = defaultdict(int)
    for o in owner:
        if o is not None:
            stands[o] += 1
    return [0 if o is None else position_fractions[o] / stands[o] for o in owner]


# --- markov --------------------------------------------------------------------------------------


def _solve(a: list[list[Fraction]], b: list[Fraction]) -> list[Fraction]:
    """Gauss-Jordan elimination over the rationals."""
    n = len(b)
    m = [[*row, b[i]] for i, row in enumerate(a)]
    for col in range(n):
        pivot = next(r for r in range(col, n) if m[r][col] != 0)
        m[col], m[pivot] = m[pivot], m[col]
        pv = m[col][col]
        m[col] = [v / pv for v in m[col]]
        for r in range(n):
            if r != col and m[r][col] != 0:
                f = m[r][col]
                m[r] = [v - f * w for v, w in zip(m[r], m[col], strict=True)]
    return [m[i][n] for i in range(n)]


def markov(fitted: Sequence[tuple[Sequence[str], bool]]) -> tuple[Fraction, dict]:
    """Exact P(conv) and removal effects, re-solving the chain once per removed channel.

    Removal of c: every transition into c goes to null instead (start -> c included).
    """
    counts = defaultdict(lambda: defaultdict(int))
    for path, converted in fitted:
        if not path:
            continue
        states = ["start", *path, "conv" if converted else "null"]
        for a, b in itertools.pairwise(states):
            counts[a][b] += 1
    channels = sorted({c for path, _ in fitted for c in path})

    def p_conv(removed: str | None) -> Fraction:
        def prob(a, b):
            total = sum(counts[a].values())
            return Fraction(counts[a][b], total) if total else Fraction(0)

        live = [c for c in channels if c != removed]
        if not live:
            return Fraction(0)
        a = [[Fraction(int(i == j)) - prob(ci, cj) for j, cj in enumerate(live)] for i, ci in enumerate(live)]
        x = _solve(a, [prob(c, "conv") for c in live])
        return sum((prob("start", c) * xc for c, xc in zip(live, x, strict=True)), Fraction(0))

    p = p_conv(None)
    return p, {c: (1 - p_conv(c) / p) if p else Fraction(0) for c in channels}


def markov_position_fractions(path: Sequence[str], re: dict) -> list:
    weights = [re.get(c, 0) for c in path]
    total = sum(weights)
    if total == 0:
        return [0] * (len(path) - 1) + [1]
    return [w / total for w in weights]


# --- shapley (fractribution) ------------------------------------------------------------------------


def shapley_position_fractions(path: Sequence[str], fitted: Sequence[tuple[Sequence[str], bool]]) -> list:
    conversions, totals = defaultdict(int), defaultdict(int)
    for p, converted in fitted:
        totals[tuple(p)] += 1
        conversions[tuple(p)] += bool(converted)

    def prob(p: Path) -> Fraction:
        return Fraction(conversions[p], totals[p]) if totals.get(p) else Fraction(0)

    path = tuple(path)
    if len(set(path)) == 1:
        return [Fraction(1, len(path))] * len(path)
    mc = [max(prob(path) - prob(path[:i] + path[i + 1 :]), Fraction(0)) for i in range(len(path))]
    total = sum(mc)
    if total == 0:
        return [Fraction(0)] * (len(path) - 1) + [Fraction(1)]
    return [m / total for m in mc]


# --- rule-based models, straight from the table of docs/models.md ---------------------------------


def rule(
    model: str,
    n: int,
    lc: int = 1,
    oc: int = 1,
    days: Sequence[float] = (),
    groups: Sequence[str] = (),
    half_life: float = 7.0,
    custom: dict | None = None,
) -> list:
    """Fractions of one journey of n touches (positions 1..n), LC and OC given as positions."""
    f = [Fraction(0)] * (n + 1)  # 1-based; f[0] unused
    if model == "first_touch":
        f[1] = Fraction(1)
    elif model == "last_touch":
        f[n] = Fraction(1)
    elif model == "last_non_direct":
        candidates = [i for i in range(1, n + 1) if groups[i - 1] != "direct"]
        f[candidates[-1] if candidates else n] = Fraction(1)
    elif model == "linear":
        f = [Fraction(0)] + [Fraction(1, n)] * n
    elif model == "time_decay":
        w = [math.pow(2.0, -d / half_life) for d in days]
        return [x / sum(w) for x in w]
    elif model == "position_based":
        if n == 1:
            f[1] = Fraction(1)
        elif n == 2:
            f[1] = f[2] = Fraction(1, 2)
        else:
            f[1] = f[n] = Fraction(2, 5)
            for i in range(2, n):
                f[i] = Fraction(1, 5) / (n - 2)
    elif model == "u_shaped":
        if lc == 1:  # FT = LC
            f[1] = Fraction(1)
        elif lc == 2:  # no middle
            f[1] = f[2] = Fraction(1, 2)
        else:
            f[1] = f[lc] = Fraction(2, 5)
            for i in range(2, lc):
                f[i] = Fraction(1, 5) / (lc - 2)
    elif model in ("w_shaped", "full_path", "custom"):
        if model == "w_shaped":
            stages = {"ft": Fraction(3, 10), "lc": Fraction(3, 10), "oc": Fraction(3, 10)}
            middle, last = Fraction(1, 10), oc
        elif model == "full_path":
            stages = {s: Fraction(225, 1000) for s in ("ft", "lc", "oc", "cw")}
            middle, last = Fraction(1, 10), n
        else:
            stages = {s: Fraction(custom[s]) for s in ("ft", "lc", "oc", "cw")}
            middle, last = Fraction(custom["middle"]), n
        at = {"ft": 1, "lc": lc, "oc": oc, "cw": n}
        for stage, weight in stages.items():
            f[at[stage]] += weight
        middles = [i for i in range(1, last + 1) if i not in {at[s] for s in stages}]
        if middles:
            for i in middles:
                f[i] += middle / len(middles)
        else:
            for stage in stages:
                f[at[stage]] += middle / len(stages)
    else:
        raise ValueError(model)
    return f[1:]
