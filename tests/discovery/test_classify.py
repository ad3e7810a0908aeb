"""From sampled values to findings: prevalence, thresholds, weak evidence and likelihood."""

from __future__ import annotations

import hashlib

from headwater.discovery.classify import classify_field, likelihood


def types(result: object) -> dict[str, tuple[float, str]]:
    return {f.type: (f.prevalence, f.likelihood) for f in result.types}  # type: ignore[attr-defined]


def test_a_field_named_email_hash_holding_digests_is_not_an_email_field() -> None:
    digests = [hashlib.sha256(f"user{n}@example.com".encode()).hexdigest() for n in range(50)]
    assert classify_field("user_properties.email_hash", digests).types == ()


def test_a_field_named_note_full_of_emails_is_one() -> None:
    notes = [f"Reach me at person{n}@example.com" for n in range(40)] + ["No thanks"] * 1
    assert types(classify_field("event_properties.note", notes))["email"][1] == "very_likely"


def test_types_below_the_threshold_are_not_reported_and_the_threshold_is_configurable() -> None:
    values = [f"label {n}" for n in range(97)] + ["a@example.com", "b@example.com", "c@example.com"]
    assert classify_field("text", values).types == ()  # 3%
    found = types(classify_field("text", values, threshold=0.02))
    assert round(found["email"][0], 2) == 0.03


def test_random_ids_passing_luhn_by_chance_are_not_cards() -> None:
    ids = [f"4{n:015d}" for n in range(1000, 2000)]  # about one in ten passes Luhn
    assert "payment_card" not in types(classify_field("IndvId", ids))


def test_pii_in_free_text_counts_with_every_type_it_holds() -> None:
    notes = [
        "call me on +44 20 7946 0958",
        "my email is anna@example.com",
        "Parcel never arrived at 221B Baker Street, London",
        "The app crashes",
    ] * 3
    found = types(classify_field("event_properties.note", [f"{note} ({n})" for n, note in enumerate(notes)]))
    assert set(found) == {"phone", "email", "street_address"}
    assert all(round(prevalence, 2) == 0.25 for prevalence, _ in found.values())


def test_likelihood_needs_confidence_and_agreeing_values() -> None:
    assert likelihood(0.95, 50, 100) == "very_likely"
    assert likelihood(0.95, 1, 1000) == "possible"
    assert likelihood(0.6, 10, 100) == "likely"
    assert likelihood(0.35, 100, 100) == "possible"


def test_examples_are_kept_only_when_asked_and_at_most_n() -> None:
    values = [f"user{n}@example.com" for n in range(20)]
    assert classify_field("email", values).types[0].examples == ()
    assert len(classify_field("email", values, examples=5).types[0].examples) == 5
