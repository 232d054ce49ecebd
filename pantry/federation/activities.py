"""The wire format between partner installs: ActivityStreams 2.0 activities whose
objects are Valueflows terms (docs/federation.md describes it for other
implementers; `/federation/context.jsonld` is the JSON-LD context).

`build_*` make what we send from our own records; `read_*` check what a partner
sent and return plain values, raising `Malformed` with the reason when a field is
missing or of the wrong kind. Nothing here writes to the database.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import override

from pantry.federation.signing import own_url
from pantry.models import Item, Lot, Storage
from pantry.network.models import ColdChain, Need, Offer

AS = "https://www.w3.org/ns/activitystreams"
MAX_QUANTITY = Decimal("99999999999.999")
MAX_VERSION = 2**31 - 1  # what a PositiveIntegerField holds on every database

# Valueflows units for each base unit of Commonpot's items (the units' names in
# the Ontology of units of Measure, as Valueflows uses them).
UNITS = {
    Item.Unit.GRAM: {"label": "gram", "symbol": "g", "omUnitIdentifier": "gram"},
    Item.Unit.MILLILITRE: {"label": "millilitre", "symbol": "ml", "omUnitIdentifier": "millilitre"},
    Item.Unit.PIECE: {"label": "one", "symbol": "piece", "omUnitIdentifier": "one"},
}
UNIT_OF_SYMBOL = {v["symbol"]: k for k, v in UNITS.items()}


class Malformed(ValueError):
    """A message that does not say what Commonpot's profile says it must."""


def context_url() -> str:
    return f"{own_url()}/federation/context.jsonld"


def actor() -> str:
    return f"{own_url()}/federation/actor"


def iso(moment: datetime | date | None) -> str | None:
    if moment is None:
        return None
    if isinstance(moment, datetime):
        return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return moment.isoformat()


def measure(quantity: Decimal, base_unit: str) -> dict:
    return {"hasNumericalValue": float(quantity), "hasUnit": dict(UNITS[base_unit])}


def envelope(kind: str, obj, *, to: str, seq: int, **extra) -> dict:
    return {
        "@context": [AS, context_url()],
        "id": f"{own_url()}/federation/activities/{uuid.uuid4()}",
        "type": kind,
        "actor": actor(),
        "to": [to],
        "published": iso(timezone.now()),
        "sequence": seq,
        "object": obj,
        **extra,
    }


# --- What we share --------------------------------------------------------------


def _resource_spec(item: Item) -> dict:
    spec = {
        "type": "ResourceSpecification",
        "name": item.name,
        "category": item.category,
        "defaultUnitOfResource": dict(UNITS[item.base_unit]),
        "storage": item.storage,
    }
    if item.base_unit == Item.Unit.PIECE:
        spec["pieceName"] = item.piece_name
        if item.weight_per_piece_g:
            spec["weightPerPieceGrams"] = float(item.weight_per_piece_g)
    return spec


def _place(site) -> dict:
    """The site as an agent: its name and town, and its point only when it shows it."""
    location = {"type": "SpatialThing", "name": site.city or site.name}
    if site.public_latitude is not None:
        location["lat"] = float(site.public_latitude)
        location["long"] = float(site.public_longitude)
    return location


def offer_object(offer: Offer, version: int) -> dict:
    with override("en"):
        item, site = offer.item, offer.site
        place = _place(site)
        intent = {
            "type": "Intent",
            "id": f"{own_url()}/federation/offers/{offer.pk}#intent",
            "action": "transfer",
            "provider": {"type": "Agent", "name": site.name, "primaryLocation": place},
            "resourceConformsTo": _resource_spec(item),
            "availableQuantity": measure(offer.remaining, item.base_unit),
            "resourceQuantity": measure(offer.quantity, item.base_unit),
            "hasBeginning": iso(offer.pickup_from),
            "hasEnd": iso(offer.pickup_until),
            "finished": offer.status != Offer.Status.OPEN,
            "coldChain": offer.cold_chain,
        }
        if offer.best_before:
            intent["resourceInventoriedAs"] = {
                "type": "EconomicResource",
                "resourceConformsTo": _resource_spec(item),
                "lot": {
                    "type": "BatchLotRecord",
                    "batchLotCode": offer.lot.code if offer.lot_id and offer.lot.code else "",
                    "expirationDate": iso(offer.best_before),
                    "dateKind": offer.date_kind,
                },
            }
        return {
            "type": "Proposal",
            "id": f"{own_url()}/federation/offers/{offer.pk}",
            "version": version,
            "purpose": "offer",
            "name": f"{item.name} at {site.name}",
            "note": offer.notes,
            "created": iso(offer.posted_at),
            "hasBeginning": iso(offer.posted_at),
            "hasEnd": iso(offer.closes_at),
            "eligibleLocation": place,
            "status": offer.status,
            "publishes": [intent],
        }


def need_object(need: Need, version: int) -> dict:
    with override("en"):
        site = need.site
        place = _place(site)
        if need.item_id:
            spec = _resource_spec(need.item)
            unit = need.item.base_unit
        else:
            spec = {
                "type": "ResourceSpecification",
                "name": str(Item.Category(need.category).label),
                "category": need.category,
                "defaultUnitOfResource": dict(UNITS[Item.Unit.GRAM]),
            }
            unit = Item.Unit.GRAM
        intent = {
            "type": "Intent",
            "action": "transfer",
            "receiver": {"type": "Agent", "name": site.name, "primaryLocation": place},
            "resourceConformsTo": spec,
            "resourceQuantity": measure(max(need.quantity - need.received, 0), unit),
            "due": iso(need.closes_at),
            "finished": need.status != Need.Status.OPEN,
        }
        return {
            "type": "Proposal",
            "id": f"{own_url()}/federation/needs/{need.pk}",
            "version": version,
            "purpose": "request",
            "name": f"{spec['name']} for {site.name}",
            "note": need.note,
            "created": iso(need.posted_at),
            "hasEnd": iso(need.closes_at),
            "eligibleLocation": place,
            "status": need.status,
            "publishes": [intent],
        }


def commitment(transfer, *, offer_uri: str, site, version: int) -> dict:
    """A claim of a partner's offer, as the claiming install sends it."""
    return {
        "type": "Commitment",
        "id": f"{own_url()}/federation/transfers/{transfer.uid}",
        "uid": str(transfer.uid),
        "version": version,
        "action": "transfer",
        "resourceQuantity": measure(transfer.quantity, transfer.base_unit),
        "receiver": {"type": "Agent", "name": site.name, "primaryLocation": _place(site)},
        # The offer's intent (Valueflows relates a commitment to the intent it satisfies).
        "satisfies": {"type": "Intent", "id": f"{offer_uri}#intent", "action": "transfer"},
        "created": iso(transfer.created_at),
    }


def pickup_events(transfer) -> list[dict]:
    """What left the sender's lots for the partner, one event per lot."""
    events = []
    for line in transfer.lines.all():
        resource = {
            "type": "EconomicResource",
            "resourceConformsTo": {"type": "ResourceSpecification", "name": transfer.item_name},
            "lot": {
                "type": "BatchLotRecord",
                "batchLotCode": line.lot_code,
                "expirationDate": iso(line.best_before),
                "dateKind": line.date_kind,
            },
        }
        events.append(
            {
                "type": "EconomicEvent",
                "action": "pickup",
                "resourceQuantity": measure(line.quantity, transfer.base_unit),
                "resourceInventoriedAs": resource,
                "provider": {"type": "Agent", "name": transfer.site.name},
                "hasPointInTime": iso(transfer.dispatched_at),
            }
        )
    return events


def transfer_event(transfer, action: str) -> dict:
    return {
        "type": "EconomicEvent",
        "action": action,
        "resourceQuantity": measure(
            transfer.received_quantity or Decimal(0) if action != "pickup" else transfer.quantity,
            transfer.base_unit,
        ),
        "receiver": {"type": "Agent", "name": transfer.site.name},
        "hasPointInTime": iso(transfer.received_at or timezone.now()),
    }


# --- Reading what a partner sent ------------------------------------------------


def need(obj: dict, key: str, kind: type | tuple = str):
    if not isinstance(obj, dict) or key not in obj:
        raise Malformed(f"{key} is missing.")
    value = obj[key]
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise Malformed(f"{key} is not {getattr(kind, '__name__', kind)}.")
    return value


def read_datetime(obj: dict, key: str, *, required: bool = True) -> datetime | None:
    value = obj.get(key)
    if value is None and not required:
        return None
    try:
        parsed = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:  # well formed, but no such day or hour (2026-02-30)
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise Malformed(f"{key} is not a date and time with its offset.")
    return parsed


def read_date(obj: dict, key: str) -> date | None:
    value = obj.get(key)
    if value in (None, ""):
        return None
    try:
        parsed = parse_date(value[:10]) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise Malformed(f"{key} is not a date.")
    return parsed


def read_version(obj: dict) -> int:
    version = need(obj, "version", int)
    if not 0 <= version <= MAX_VERSION:
        raise Malformed("version is out of range.")
    return version


def read_lot(holder: dict) -> dict:
    """The BatchLotRecord of an intent's or an event's resource; {} when it has none."""
    resource = holder.get("resourceInventoriedAs") or {}
    if not isinstance(resource, dict):
        raise Malformed("resourceInventoriedAs is not an EconomicResource.")
    lot = resource.get("lot") or {}
    if not isinstance(lot, dict):
        raise Malformed("resourceInventoriedAs.lot is not a BatchLotRecord.")
    return lot


def read_measure(obj: dict, key: str) -> tuple[Decimal, str]:
    m = need(obj, key, dict)
    value = m.get("hasNumericalValue")
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise Malformed(f"{key}.hasNumericalValue is not a number.")
    try:
        quantity = Decimal(str(value)).quantize(Decimal("0.001"))
    except InvalidOperation as e:
        raise Malformed(f"{key}.hasNumericalValue is not a number.") from e
    if not quantity.is_finite() or quantity < 0 or quantity > MAX_QUANTITY:
        raise Malformed(f"{key}.hasNumericalValue is out of range.")
    unit = need(m, "hasUnit", dict)
    symbol = unit.get("symbol")
    if symbol not in UNIT_OF_SYMBOL:
        raise Malformed(f"{key}.hasUnit is not a unit Commonpot counts in (g, ml, piece).")
    return quantity, UNIT_OF_SYMBOL[symbol]


def _text(obj: dict, key: str, limit: int, default: str = "") -> str:
    value = obj.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise Malformed(f"{key} is not text.")
    return " ".join(value.split())[:limit]


def _choice(value, choices, name: str, default: str = "") -> str:
    if value in (None, ""):
        return default
    if value not in choices:
        raise Malformed(f"{name} {value!r} is not one Commonpot knows.")
    return value


def _point(place) -> tuple[Decimal | None, Decimal | None]:
    if not isinstance(place, dict) or "lat" not in place or "long" not in place:
        return None, None
    try:
        lat, lng = Decimal(str(place["lat"])), Decimal(str(place["long"]))
    except InvalidOperation:
        return None, None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise Malformed("The place's latitude or longitude is out of range.")
    return lat.quantize(Decimal("0.000001")), lng.quantize(Decimal("0.000001"))


@dataclass
class SharedRecord:
    """A partner's offer or need, read from its Proposal."""

    uri: str
    version: int
    purpose: str
    values: dict


def read_proposal(obj: dict, partner_url: str) -> SharedRecord:
    if obj.get("type") != "Proposal":
        raise Malformed("The object is not a Proposal.")
    uri = need(obj, "id")
    if not uri.startswith(partner_url + "/"):
        raise Malformed("The proposal is not the sender's own.")
    if len(uri) > 300:  # what PartnerOffer.uri and PartnerNeed.uri hold
        raise Malformed("The proposal's id is longer than 300 characters.")
    version = read_version(obj)
    purpose = _choice(obj.get("purpose"), ("offer", "request"), "purpose")
    if not purpose:
        raise Malformed("purpose is missing.")
    intents = need(obj, "publishes", list)
    if len(intents) != 1 or not isinstance(intents[0], dict):
        raise Malformed("A proposal publishes exactly one intent.")
    intent = intents[0]
    if intent.get("action") != "transfer":
        raise Malformed("The intent's action is not transfer.")
    agent = intent.get("provider" if purpose == "offer" else "receiver")
    if not isinstance(agent, dict):
        raise Malformed("The intent names no site.")
    spec = need(intent, "resourceConformsTo", dict)
    place = agent.get("primaryLocation") or obj.get("eligibleLocation") or {}
    lat, lng = _point(place)
    statuses = Offer.Status.values if purpose == "offer" else Need.Status.values
    values = {
        "site_name": _text(agent, "name", 120) or "?",
        "locality": _text(place, "name", 120) if isinstance(place, dict) else "",
        "latitude": lat,
        "longitude": lng,
        "item_name": _text(spec, "name", 120) or "?",
        "category": _choice(spec.get("category"), Item.Category.values, "category", "other"),
        "storage": _choice(spec.get("storage"), Storage.values, "storage", Storage.DRY),
        "piece_name": _text(spec, "pieceName", 30),
        "note": _text(obj, "note", 300),
        "status": _choice(obj.get("status"), statuses, "status") or "open",
        "closes_at": read_datetime(obj, "hasEnd"),
    }
    weight = spec.get("weightPerPieceGrams")
    if weight is not None:
        if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight < 1e6:
            raise Malformed("weightPerPieceGrams is not a weight.")
        values["weight_per_piece_g"] = Decimal(str(weight)).quantize(Decimal("0.001"))
    else:
        values["weight_per_piece_g"] = None
    if purpose == "offer":
        quantity, unit = read_measure(intent, "availableQuantity")
        values["pickup_from"] = read_datetime(intent, "hasBeginning")
        values["pickup_until"] = read_datetime(intent, "hasEnd")
        values["cold_chain"] = _choice(intent.get("coldChain"), ColdChain.values, "coldChain")
        lot = read_lot(intent)
        values["best_before"] = read_date(lot, "expirationDate") if lot else None
        values["date_kind"] = _choice(
            lot.get("dateKind") if lot else None,
            Lot.DateKind.values,
            "dateKind",
            Lot.DateKind.BEST_BEFORE,
        )
    else:
        quantity, unit = read_measure(intent, "resourceQuantity")
    values["quantity"] = quantity
    values["base_unit"] = unit
    return SharedRecord(uri=uri, version=version, purpose=purpose, values=values)


@dataclass
class Claim:
    uid: uuid.UUID
    offer_pk: int
    quantity: Decimal
    unit: str
    site_name: str


def read_claim(obj: dict) -> Claim:
    if not isinstance(obj, dict) or obj.get("type") != "Commitment":
        raise Malformed("A claim's object is a Commitment.")
    try:
        uid = uuid.UUID(need(obj, "uid"))
    except ValueError as e:
        raise Malformed("uid is not a UUID.") from e
    satisfies = need(obj, "satisfies", dict).get("id")
    if not isinstance(satisfies, str):
        raise Malformed("satisfies names no intent.")
    satisfies = satisfies.removesuffix("#intent")
    prefix = f"{own_url()}/federation/offers/"
    if not satisfies.startswith(prefix) or not satisfies[len(prefix) :].isdigit():
        raise Malformed("The claim does not name one of our offers.")
    quantity, unit = read_measure(obj, "resourceQuantity")
    if quantity <= 0:
        raise Malformed("A claim asks for more than nothing.")
    receiver = need(obj, "receiver", dict)
    return Claim(
        uid=uid,
        offer_pk=int(satisfies[len(prefix) :]),
        quantity=quantity,
        unit=unit,
        site_name=_text(receiver, "name", 120) or "?",
    )


def read_uid(activity: dict) -> uuid.UUID:
    try:
        return uuid.UUID(str(need(activity, "transferId")))
    except ValueError as e:
        raise Malformed("transferId is not a UUID.") from e


@dataclass
class PickupLine:
    quantity: Decimal
    best_before: date | None
    date_kind: str
    lot_code: str


def read_pickups(events) -> list[PickupLine]:
    if not isinstance(events, list) or not events:
        raise Malformed("A dispatch lists what left, as events.")
    lines = []
    for event in events:
        if not isinstance(event, dict) or event.get("action") != "pickup":
            raise Malformed("A dispatch's events are pickups.")
        quantity, _unit = read_measure(event, "resourceQuantity")
        if quantity <= 0:
            raise Malformed("A pickup of nothing.")
        lot = read_lot(event)
        lines.append(
            PickupLine(
                quantity=quantity,
                best_before=read_date(lot, "expirationDate"),
                date_kind=_choice(
                    lot.get("dateKind"), Lot.DateKind.values, "dateKind", Lot.DateKind.BEST_BEFORE
                ),
                lot_code=_text(lot, "batchLotCode", 60),
            )
        )
    return lines
