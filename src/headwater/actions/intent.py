"""Ranking actions by how well they match a free-text intent ("remove a person", "download raw events").

A small BM25 over each action's key, title, description and keywords, after folding words onto a
shared vocabulary (remove/erase/forget -> delete, person/customer -> user ...), so that the words people
use find the words the API uses. Deterministic, instant, and nothing to download.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence

from headwater.actions.model import Action

K1 = 1.2
B = 0.75
#: how much a word counts depending on where it appears
FIELD_WEIGHTS = {"key": 3.0, "title": 2.0, "keywords": 1.5, "description": 1.0}

STOPWORDS = frozenset(
    {
        *("a", "an", "and", "any", "are", "as", "at", "be", "by", "can", "do", "every", "for", "from"),
        *("give", "how", "i", "in", "into", "is", "it", "me", "my", "of", "on", "or", "our", "please"),
        *("some", "that", "the", "their", "them", "this", "to", "want", "we", "with", "all"),
    }
)

#: the words people use -> the word the catalogue uses (both sides are stemmed before matching)
SYNONYMS: dict[str, str] = {
    **dict.fromkeys(("remove", "erase", "forget", "purge", "wipe", "destroy", "erasure", "gdpr"), "delete"),
    **dict.fromkeys(("person", "people", "individual", "customer", "visitor", "subject"), "user"),
    **dict.fromkeys(("profile", "identity", "contact", "account"), "user"),
    **dict.fromkeys(("download", "extract", "dump", "bulk", "replicate", "backup"), "export"),
    **dict.fromkeys(("find", "lookup", "look", "query", "locate", "resolve"), "search"),
    **dict.fromkeys(("fetch", "retrieve", "read", "show", "view", "inspect"), "get"),
    **dict.fromkeys(("enumerate", "browse"), "list"),
    **dict.fromkeys(("add", "new", "make", "insert", "register"), "create"),
    **dict.fromkeys(("modify", "change", "edit", "set", "rename"), "update"),
    **dict.fromkeys(("send", "ingest", "record"), "track"),
    **dict.fromkeys(("upload", "load"), "import"),
    **dict.fromkeys(("note", "annotate", "marker", "comment"), "annotation"),
    **dict.fromkeys(("activity", "click", "pageview"), "event"),
    **dict.fromkeys(("visit", "recording", "replay"), "session"),
    **dict.fromkeys(("audience", "group"), "cohort"),
    **dict.fromkeys(("progress", "state"), "status"),
}

_WORD = re.compile(r"[a-z0-9]+")


def stem(word: str) -> str:
    """Just enough stemming for API vocabulary: plurals, -ing, -ed and a final e fold together."""
    if len(word) <= 3:
        return word
    if word.endswith("ies"):
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


_STEMMED_SYNONYMS = {stem(word): stem(target) for word, target in SYNONYMS.items()}


def normalise(word: str) -> str:
    stemmed = stem(word.lower())
    return _STEMMED_SYNONYMS.get(stemmed, stemmed)


def tokens(text: str) -> list[str]:
    return [normalise(w) for w in _WORD.findall(text.lower()) if len(w) > 1 and w not in STOPWORDS]


def _fields(action: Action) -> dict[str, list[str]]:
    return {
        "key": tokens(action.key.replace("-", " ")),
        "title": tokens(action.title),
        "keywords": tokens(" ".join(action.keywords)),
        "description": tokens(action.description),
    }


def rank(intent: str, actions: Sequence[Action]) -> list[tuple[Action, float]]:
    """Actions matching `intent`, best first, with their scores; those sharing no word are left out."""
    query = list(dict.fromkeys(tokens(intent)))
    if not query or not actions:
        return []
    docs = [_fields(action) for action in actions]
    average = {f: sum(len(d[f]) for d in docs) / len(docs) or 1.0 for f in FIELD_WEIGHTS}
    doc_freq = Counter(term for d in docs for term in {t for words in d.values() for t in words})
    scored = []
    for position, (action, doc) in enumerate(zip(actions, docs, strict=True)):
        score = sum(_term_score(term, doc, average, doc_freq[term], len(docs)) for term in query)
        if score > 0:
            scored.append((action, score, position))
    scored.sort(key=lambda item: (-item[1], item[2]))
    return [(action, round(score, 3)) for action, score, _ in scored]


def _term_score(
    term: str, doc: dict[str, list[str]], average: dict[str, float], df: int, n_docs: int
) -> float:
    """BM25F: field-weighted, length-normalised term frequency, saturated, times the term's rarity."""
    if df == 0:
        return 0.0
    weighted_tf = 0.0
    for name, weight in FIELD_WEIGHTS.items():
        words = doc[name]
        count = words.count(term)
        if count:
            weighted_tf += weight * count / (1 - B + B * len(words) / average[name])
    idf = math.log(1 + (n_docs - df + 0.5) / (df + 0.5))
    return idf * weighted_tf * (K1 + 1) / (weighted_tf + K1)


def search(intent: str, actions: Iterable[Action]) -> list[Action]:
    return [action for action, _ in rank(intent, list(actions))]
