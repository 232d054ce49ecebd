"""The JSON-LD context Commonpot publishes names every term its messages use."""

import json
from pathlib import Path

from tests.federation import examples as samples

CONTEXT = Path(__file__).resolve().parents[2] / "pantry" / "federation" / "context.jsonld"
# What the ActivityStreams context, listed first in each message, defines for them.
ACTIVITY_STREAMS = {
    "@context",
    "id",
    "type",
    "actor",
    "to",
    "published",
    "object",
    "inReplyTo",
    "summary",
}
ACTIVITY_TYPES = {"Create", "Update", "Offer", "Accept", "Reject", "Leave"}


def terms() -> dict:
    return json.loads(CONTEXT.read_text())["@context"]


def keys_and_types(node, found=None):
    found = found if found is not None else (set(), set(), set())
    keys, types, words = found
    if isinstance(node, list):
        for item in node:
            keys_and_types(item, found)
    elif isinstance(node, dict):
        for key, value in node.items():
            keys.add(key)
            if key == "type":
                types.add(value)
            elif key in ("action", "purpose"):
                words.add(value)
            elif key != "@context":
                keys_and_types(value, found)
    return found


def sample_messages() -> list[dict]:
    offer = samples.offer_proposal()
    event = {
        "type": "EconomicEvent",
        "action": "pickup",
        "fulfills": {"id": "https://b.example.org/federation/transfers/1", "action": "transfer"},
        "resourceQuantity": {"hasNumericalValue": 5, "hasUnit": samples.KG},
    }
    return [
        samples.activity("Create", offer),
        samples.activity("Offer", samples.claim()),
        samples.activity("Create", [event, {**event, "action": "dropoff"}]),
    ]


def test_every_term_a_message_uses_is_defined_by_activity_streams_or_our_context():
    context = terms()
    keys, types, words = keys_and_types(sample_messages())
    assert sorted(keys - ACTIVITY_STREAMS - set(context)) == []
    assert sorted(types - ACTIVITY_TYPES - set(context)) == []
    # action and purpose values expand to the Valueflows actions and purposes.
    assert {word: context[word] for word in words} == {
        "transfer": "vf:transfer",
        "pickup": "vf:pickup",
        "dropoff": "vf:dropoff",
        "offer": "vf:offer",
    }


def test_terms_are_valueflows_or_the_vocabularies_it_uses_and_ours_are_under_cp():
    context = terms()
    prefixes = {k for k, v in context.items() if isinstance(v, str) and v.endswith(("#", "/"))}
    for term, definition in context.items():
        if term in prefixes:
            continue
        iri = definition if isinstance(definition, str) else definition["@id"]
        assert iri.split(":")[0] in prefixes, term
    for ours in ("version", "sequence", "status", "category", "coldChain"):
        assert context[ours] == f"cp:{ours}"
    assert context["cp"] == "https://commonpot.org/ns#"
    assert context["vf"] == "https://w3id.org/valueflows/ont/vf#"
