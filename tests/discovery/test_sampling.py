"""Field paths and bounded, distinct samples."""

from __future__ import annotations

from headwater.discovery.sampling import FieldSampler


def test_paths_for_nested_objects_lists_and_url_queries() -> None:
    sampler = FieldSampler(10)
    sampler.add(
        {
            "user_phone_str": "+1 415 555 0137",
            "PageUrl": "https://shop.example/checkout?email=anna%40example.com&step=2#top",
            "event_properties": {"plan": "pro", "items": [{"sku": "A1"}, "loose"]},
            "user_properties": {"phone": "+44 20 7946 0958", "opt_in": True, "missing": None},
            "empty": "",
        }
    )
    fields = dict(sampler.fields())
    assert fields == {
        "user_phone_str": ["+1 415 555 0137"],
        "PageUrl": ["https://shop.example/checkout#top"],
        "PageUrl?email": ["anna@example.com"],
        "PageUrl?step": ["2"],
        "event_properties.plan": ["pro"],
        "event_properties.items[].sku": ["A1"],
        "event_properties.items[]": ["loose"],
        "user_properties.phone": ["+44 20 7946 0958"],
        "user_properties.opt_in": ["true"],
    }


def test_keeps_the_first_n_distinct_non_empty_values() -> None:
    sampler = FieldSampler(3)
    for value in ["a", "a", " ", "b", "c", "d", "e"]:
        sampler.add({"field": value})
    assert dict(sampler.fields()) == {"field": ["a", "b", "c"]}


def test_url_parameters_are_sampled_beyond_the_address_cap() -> None:
    sampler = FieldSampler(2)
    for number in range(6):
        sampler.add({"PageUrl": f"https://shop.example/search?q=term{number}"})
    fields = dict(sampler.fields())
    assert fields["PageUrl"] == ["https://shop.example/search"]
    assert fields["PageUrl?q"] == ["term0", "term1"]


def test_the_number_of_fields_is_bounded() -> None:
    sampler = FieldSampler(5, max_fields=3)
    sampler.add({f"key{number}": "value" for number in range(10)})
    assert len(list(sampler.fields())) == 3
    assert sampler.fields_dropped == 7
