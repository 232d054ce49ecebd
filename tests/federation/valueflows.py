"""Checking federation messages against the Valueflows JSON Schemas, offline.

`validate("Proposal", offer)` checks one object; `valueflows_parts(activity)` lists
the Valueflows objects one ActivityStreams activity carries, so a test can check
everything a message holds with `validate_activity(activity)`. The schemas are
the copies in tests/data/valueflows/ (see tests/data/README.md for what they do
and do not check).
"""

from __future__ import annotations

from functools import cache

import jsonschema

from tests.jsonschemas import DATA, format_checker, problems, schema_files

VALUEFLOWS = DATA / "valueflows"
SCHEMA_BASE = "https://raw.githubusercontent.com/valueflows/valueflows/master/json-schemas/"
KINDS = frozenset(path.stem for path in VALUEFLOWS.glob("*.json"))


@cache
def validator(kind: str) -> jsonschema.Draft7Validator:
    if kind not in KINDS:
        raise ValueError(f"No Valueflows schema for {kind!r}; there are: {sorted(KINDS)}")
    registry = schema_files(VALUEFLOWS)
    schema = registry.contents(f"{SCHEMA_BASE}{kind}.json")
    return jsonschema.Draft7Validator(schema, registry=registry, format_checker=format_checker())


def validate(kind: str, obj: dict) -> None:
    """Raise jsonschema.ValidationError listing every way `obj` breaks the `kind`
    schema (or names another type than `kind`)."""
    found = problems(validator(kind), obj)
    if isinstance(obj, dict) and obj.get("type", kind) != kind:
        found.insert(0, f"type: {obj['type']!r} is checked as a {kind}")
    if found:
        raise jsonschema.ValidationError(f"Not a valid {kind}:\n" + "\n".join(found))


def valueflows_parts(activity: dict) -> list[tuple[str, dict]]:
    """The Valueflows objects in one activity, each with its kind: a Proposal and the
    Intents it publishes (and asks in return), a Commitment, EconomicEvents (one, or
    a list). An Accept, Reject or Leave refers to other messages by id and carries none.
    """
    carried = activity.get("object")
    objects = carried if isinstance(carried, list) else [carried]
    parts: list[tuple[str, dict]] = []
    for obj in objects:
        if not isinstance(obj, dict) or obj.get("type") not in KINDS:
            continue
        parts.append((obj["type"], obj))
        if obj["type"] == "Proposal":
            for key in ("publishes", "reciprocal"):
                intents = obj.get(key, [])
                parts.extend(("Intent", i) for i in intents if isinstance(i, dict))
    return parts


def validate_activity(activity: dict) -> list[str]:
    """Validate every Valueflows object the activity carries; the kinds checked."""
    parts = valueflows_parts(activity)
    for kind, obj in parts:
        validate(kind, obj)
    return [kind for kind, _ in parts]
