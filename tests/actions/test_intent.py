"""Intent search: the words people use find the actions the API names differently."""

from __future__ import annotations

import pytest

from headwater.actions.catalogue import all_actions
from headwater.actions.intent import SYNONYMS, normalise, rank, search, tokens
from headwater.actions.model import Action


def keys(intent: str, provider: str | None = None) -> list[str]:
    return [a.qualified_key for a in search(intent, all_actions(provider))]


def test_remove_a_person_finds_delete_user_first() -> None:
    assert keys("remove a person", "fullstory")[0] == "fullstory.delete-user"
    assert keys("remove a person")[0] == "fullstory.delete-user"
    assert keys("erase this customer", "amplitude")[0] == "amplitude.request-deletion"


def test_download_raw_events_puts_export_actions_on_top() -> None:
    top = keys("download raw events")[:3]
    assert all("export" in key for key in top), top


@pytest.mark.parametrize(
    ("intent", "expected"),
    [
        ("mark a release on the charts", "fullstory.create-annotation"),
        ("list the sessions of a visitor", "fullstory.list-sessions"),
        ("change a user's email", "fullstory.update-user"),
        ("is the deletion job done", "amplitude.list-deletion-jobs"),
    ],
)
def test_everyday_phrases(intent: str, expected: str) -> None:
    assert expected in keys(intent)[:2], keys(intent)[:5]


def test_synonyms_and_word_forms_fold_together() -> None:
    assert {normalise(w) for w in ("delete", "deleted", "deleting", "remove", "erasing", "forget")} == {
        normalise("delete")
    }
    assert normalise("customers") == normalise("people") == normalise("user")
    assert tokens("Give me the data of a person") == ["data", "user"]


def test_nothing_in_common_means_no_result() -> None:
    assert rank("zebra quantum", all_actions()) == []
    assert rank("", all_actions()) == []


def test_ranking_is_deterministic_and_scored() -> None:
    first = rank("export events", all_actions())
    assert first == rank("export events", all_actions())
    scores = [score for _, score in first]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0


@pytest.mark.parametrize("action", all_actions(), ids=lambda a: a.qualified_key)
def test_no_keyword_repeats_what_the_synonyms_already_fold(action: Action) -> None:
    """A keyword that SYNONYMS maps onto a word the action already has only adds weight: leave it out."""
    for keyword in action.keywords:
        if keyword not in SYNONYMS:
            continue
        others = [action.key.replace("-", " "), action.title, action.description]
        others += [other for other in action.keywords if other != keyword]
        assert normalise(keyword) not in tokens(" ".join(others)), keyword
