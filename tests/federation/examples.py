"""Messages in the federation wire format (docs/federation.md), for tests to check."""

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
