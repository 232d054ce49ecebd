"""The Valueflows checker the federation tests use: it passes a message shaped as
the wire format says, and catches the mistakes a sender could make."""

import copy

import jsonschema
import pytest

from tests.federation.examples import A, B, activity, claim, offer_proposal
from tests.federation.valueflows import validate, validate_activity, valueflows_parts


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
