"""The Valueflows checker the federation tests use: it passes a message shaped as
the wire format says, and catches the mistakes a sender could make."""

import copy

import jsonschema
import pytest

from tests.federation.valueflows import validate, validate_activity, valueflows_parts

A = "https://a.example.org"
B = "https://b.example.org"

KG = {"label": "kilogram", "symbol": "kg"}


def offer_proposal() -> dict:
    """An offer as the wire format carries it: a Proposal publishing one Intent."""
    return {
        "type": "Proposal",
        "id": f"{A}/federation/offers/12",
        "version": 3,
        "purpose": "offer",
        "name": "Bread",
        "note": "Day-old loaves, bagged",
        "created": "2026-12-04T09:30:00Z",
        "hasBeginning": "2026-12-04T10:00:00Z",
        "hasEnd": "2026-12-06T00:00:00Z",
        "eligibleLocation": {"type": "SpatialThing", "lat": 51.45, "long": -2.6},
        "publishes": [
            {
                "type": "Intent",
                "id": f"{A}/federation/offers/12#intent",
                "action": "transfer",
                "provider": {
                    "type": "Agent",
                    "name": "Riverside Kitchen",
                    "primaryLocation": {"type": "SpatialThing", "name": "Bristol"},
                },
                "resourceConformsTo": {
                    "type": "ResourceSpecification",
                    "name": "Bread",
                    "note": "grains_bread",
                },
                "availableQuantity": {"type": "Measure", "hasNumericalValue": 12.5, "hasUnit": KG},
                "hasBeginning": "2026-12-04T10:00:00Z",
                "hasEnd": "2026-12-05T16:00:00+00:00",
                "finished": False,
                "resourceInventoriedAs": {
                    "type": "EconomicResource",
                    "resourceConformsTo": {"type": "ResourceSpecification", "name": "Bread"},
                    "lot": {
                        "type": "BatchLotRecord",
                        "batchLotCode": "L-2026-1204",
                        "expirationDate": "2026-12-06",
                    },
                },
            }
        ],
        "status": "open",
        "category": "grains_bread",
        "coldChain": "",
    }


def activity(kind: str, obj) -> dict:
    return {
        "@context": ["https://www.w3.org/ns/activitystreams", f"{A}/federation/context.jsonld"],
        "id": f"{A}/federation/activities/0b7c7d1e-8f0e-4c55-9d7a-0c1e7f1f2a3b",
        "type": kind,
        "actor": f"{A}/federation/actor",
        "to": [f"{B}/federation/actor"],
        "published": "2026-12-04T10:00:00Z",
        "sequence": 12,
        "object": obj,
    }


def claim() -> dict:
    return {
        "type": "Commitment",
        "id": f"{B}/federation/transfers/5f0c3d8a-63a1-4f5e-9a57-0d8c2f1b6e44",
        "action": "transfer",
        "resourceQuantity": {"hasNumericalValue": 5, "hasUnit": KG},
        "provider": {"name": "Riverside Kitchen"},
        "receiver": {"name": "Northside Pantry"},
        "satisfies": {"id": f"{A}/federation/offers/12#intent", "action": "transfer"},
        "created": "2026-12-04T11:00:00Z",
    }


def test_an_offer_with_its_intent_as_the_wire_format_carries_it_is_valid():
    offer = offer_proposal()
    validate("Proposal", offer)
    assert validate_activity(activity("Create", offer)) == ["Proposal", "Intent"]


def test_a_need_is_a_request_whose_intent_has_a_receiver_and_a_due_date():
    need = offer_proposal()
    need["purpose"] = "request"
    intent = need["publishes"][0]
    intent["receiver"] = intent.pop("provider")
    intent["resourceQuantity"] = intent.pop("availableQuantity")
    intent["due"] = "2026-12-06T00:00:00Z"
    assert validate_activity(activity("Update", need)) == ["Proposal", "Intent"]


def test_a_measure_without_its_unit_is_refused_alone_and_inside_an_offer():
    with pytest.raises(jsonschema.ValidationError, match="'hasUnit' is a required property"):
        validate("Measure", {"hasNumericalValue": 12.5})
    offer = offer_proposal()
    del offer["publishes"][0]["availableQuantity"]["hasUnit"]
    with pytest.raises(jsonschema.ValidationError, match="publishes/0/availableQuantity"):
        validate("Proposal", offer)


def test_an_intent_without_an_action_is_refused():
    intent = offer_proposal()["publishes"][0]
    del intent["action"]
    with pytest.raises(jsonschema.ValidationError, match="'action' is a required property"):
        validate("Intent", intent)
    with pytest.raises(jsonschema.ValidationError):
        validate_activity(activity("Create", {**offer_proposal(), "publishes": [intent]}))


def test_a_commitment_whose_quantity_is_a_string_is_refused():
    commitment = claim()
    validate("Commitment", commitment)
    commitment["resourceQuantity"]["hasNumericalValue"] = "5"
    with pytest.raises(
        jsonschema.ValidationError, match="resourceQuantity/hasNumericalValue: '5' is not"
    ):
        validate("Commitment", commitment)


def test_dates_must_be_full_date_times_with_an_offset():
    for when in ("2026-12-04", "2026-12-04T10:00:00", "2026-02-30T10:00:00Z", "soon"):
        offer = offer_proposal()
        offer["hasEnd"] = when
        with pytest.raises(jsonschema.ValidationError, match="is not a 'date-time'"):
            validate("Proposal", offer)


def test_a_reference_must_be_an_object_with_its_id_not_a_bare_id():
    commitment = claim()
    commitment["satisfies"] = f"{A}/federation/offers/12#intent"
    with pytest.raises(jsonschema.ValidationError, match="satisfies: .* is not of type 'object'"):
        validate("Commitment", commitment)


def test_an_object_is_checked_as_the_kind_asked_for():
    with pytest.raises(jsonschema.ValidationError, match="'Proposal' is checked as a Commitment"):
        validate("Commitment", {**offer_proposal(), "action": "transfer"})
    with pytest.raises(ValueError, match="No Valueflows schema for 'Offer'"):
        validate("Offer", offer_proposal())


def test_the_parts_of_each_kind_of_message():
    offer = offer_proposal()
    assert valueflows_parts(activity("Create", offer)) == [
        ("Proposal", offer),
        ("Intent", offer["publishes"][0]),
    ]
    assert valueflows_parts(activity("Offer", claim())) == [("Commitment", claim())]
    pickup = {
        "type": "EconomicEvent",
        "action": "pickup",
        "fulfills": {"id": claim()["id"], "action": "transfer"},
        "resourceQuantity": {"hasNumericalValue": 5000, "hasUnit": {"label": "gram"}},
        "resourceInventoriedAs": copy.deepcopy(offer["publishes"][0]["resourceInventoriedAs"]),
    }
    dropoff = {**pickup, "action": "dropoff"}
    received = {**pickup, "action": "transfer", "hasPointInTime": "2026-12-05T09:00:00Z"}
    dispatched = activity("Create", [pickup, dropoff])
    assert [kind for kind, _ in valueflows_parts(dispatched)] == ["EconomicEvent"] * 2
    assert validate_activity(activity("Create", [dropoff, received])) == ["EconomicEvent"] * 2
    accept = activity("Accept", f"{B}/federation/activities/1")
    accept["inReplyTo"] = claim()["id"]
    assert valueflows_parts(accept) == []
    assert valueflows_parts(activity("Leave", f"{B}/federation/actor")) == []
