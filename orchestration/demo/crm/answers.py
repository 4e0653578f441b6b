"""Each person's answer to "How did you hear about us?" (crm.lead / crm.contact
`self_reported_source`), written from the causal story: the true answer is what brought the
person in (their origin group, people["origin"]), said in the words real forms collect: many
blanks, free-text variants, odd case and punctuation, typos, Norwegian answers. People of
community-driven journeys answer more often (word of mouth is what people like to tell). The
ground truth keeps the true answer beside the written one (ground_truth/self_reported_answers.csv).

Its own random stream (`plan.rng("self_reported")`), so no other object's bytes move."""

from __future__ import annotations

import numpy as np

from .. import vocab as V
from .common import Crm

# true answer per origin group -> (canonical answer, weight, English variants, Norwegian variants)
TRUE_ANSWERS = {
    V.COMMUNITY: (
        (
            "word of mouth",
            5,
            [
                "A friend told me about you",
                "friend",
                "From a friend",
                "word of mouth",
                "Word-of-mouth",
                "my colleague recommended you",
                "Colleague",
                "a recommendation",
            ],
            ["En venn", "via en venn", "kollega", "Anbefaling fra en kollega", "anbefalt av en venn"],
        ),
        (
            "community",
            2,
            ["forum", "Saw it in a Slack community", "user group meetup", "Discord", "the community"],
            ["brukergruppe", "et forum"],
        ),
        ("partner", 1, ["our reseller", "partner", "an affiliate"], ["forhandler", "partner"]),
    ),
    V.MARKETING: (
        ("search", 3, ["Google", "googled it", "search", "web search"], ["Google-søk", "googlet"]),
        ("social", 2, ["LinkedIn", "linkedin post", "Twitter", "YouTube"], ["LinkedIn"]),
        ("podcast", 1, ["podcast", "a Podcast episode"], ["podkast"]),
        ("event", 2, ["a webinar", "webinar", "event", "conference", "trade show"], ["konferanse", "messe"]),
        ("ad", 2, ["saw an ad", "LinkedIn ad", "ads", "advertisement"], ["annonse", "reklame"]),
        ("newsletter", 1, ["your newsletter", "newsletter"], ["nyhetsbrev"]),
    ),
    V.SALES: (
        (
            "sales",
            1,
            ["a sales rep called", "your SDR", "cold email", "cold call", "sales rep"],
            ["en selger ringte meg", "selger"],
        ),
    ),
    V.DIRECT: (
        (
            "unknown",
            1,
            ["don't remember", "website", "n/a", "other", "internet", "?"],
            ["husker ikke", "nettsiden"],
        ),
    ),
}
ANSWER_RATE = 0.35  # most people leave the field blank
COMMUNITY_ANSWER_RATE = 0.6  # community-driven journeys answer more often
NORWEGIAN_RATE = 0.15
TYPO_RATE = 0.08


def _typo(r: np.random.Generator, text: str) -> str:
    """Two neighbouring letters of one longer word swapped ("freind")."""
    words = text.split(" ")
    long = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    if not long:
        return text
    i = long[int(r.integers(len(long)))]
    w = words[i]
    j = int(r.integers(1, len(w) - 2))
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    return " ".join(words)


def _styled(r: np.random.Generator, text: str) -> str:
    style = r.random()
    if style < 0.1:
        return text.upper()
    if style < 0.25:
        return text.lower()
    if style < 0.35:
        return text + "!"
    if style < 0.4:
        return f"  {text} "
    return text


def answers(crm: Crm) -> None:
    """crm.self_reported: per person the written answer (None: blank), the true answer and group."""
    people = crm.w.people
    r = crm.plan.rng("self_reported")
    origin = people["origin"]
    n_p = len(origin)
    rate = np.where(origin == V.COMMUNITY, COMMUNITY_ANSWER_RATE, ANSWER_RATE)
    answered = r.random(n_p) < rate
    norwegian = r.random(n_p) < NORWEGIAN_RATE
    typo = r.random(n_p) < TYPO_RATE
    written: list[str | None] = [None] * n_p
    truth: list[str] = [""] * n_p
    for group, options in TRUE_ANSWERS.items():
        members = np.flatnonzero(origin == group)
        weights = np.array([o[1] for o in options], dtype=float)
        picks = r.choice(len(options), size=len(members), p=weights / weights.sum())
        for person, pick in zip(members.tolist(), picks.tolist(), strict=True):
            canonical, _, english, norsk = options[pick]
            truth[person] = canonical
            if not answered[person]:
                continue
            variants = norsk if norwegian[person] else english
            text = variants[int(r.integers(len(variants)))]
            if typo[person]:
                text = _typo(r, text)
            written[person] = _styled(r, text)
    crm.self_reported = {"written": written, "truth": truth, "origin": origin}
