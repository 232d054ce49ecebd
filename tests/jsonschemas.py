"""Published JSON Schemas, read from tests/data/ with no network.

Each set refers to its own files by URL; a `referencing.Registry` maps those URLs
to the copies kept here, so validating never fetches anything. The format checker
also checks `date-time` and `uri`, which jsonschema leaves unchecked unless extra
packages are installed (it would then pass "2026-12-04" as a date-time).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import referencing
import referencing.exceptions
import referencing.jsonschema

DATA = Path(__file__).resolve().parent / "data"
MURMURATIONS = DATA / "murmurations"
MURMURATIONS_BASE = "https://library.murmurations.network/v2/"

# RFC 3339 section 5.6 (date-time): a date, "T", a time with seconds, and an offset.
_DATE_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", re.ASCII
)
# RFC 3986 section 3.1: an absolute URI starts with its scheme.
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:", re.ASCII)


def format_checker(
    draft: type[jsonschema.protocols.Validator] = jsonschema.Draft7Validator,
) -> jsonschema.FormatChecker:
    """The draft's own format checks, with `date-time` and `uri` checked too."""
    checker = jsonschema.FormatChecker(formats=())
    checker.checkers = dict(draft.FORMAT_CHECKER.checkers)

    @checker.checks("date-time", raises=ValueError)
    def is_date_time(value: object) -> bool:
        if not isinstance(value, str):
            return True
        if not _DATE_TIME.fullmatch(value):
            return False
        datetime.fromisoformat(value.upper().replace("Z", "+00:00"))  # a real day and time
        return True

    @checker.checks("uri", raises=ValueError)
    def is_uri(value: object) -> bool:
        if not isinstance(value, str):
            return True
        urlsplit(value)
        return bool(_SCHEME.match(value)) and not re.search(r"[\s<>\"{}|\\^`]", value)

    return checker


def schema_files(folder: Path) -> referencing.Registry:
    """A registry of every schema in `folder` under its own `$id`, and nothing else:
    a `$ref` to any other URL fails instead of being fetched."""
    resources = []
    for path in sorted(folder.glob("*.json")):
        contents = json.loads(path.read_text())
        resource = referencing.Resource.from_contents(
            contents, default_specification=referencing.jsonschema.DRAFT7
        )
        resources.append((contents["$id"], resource))
    return referencing.Registry().with_resources(resources).crawl()


def files_under(base_url: str, folder: Path) -> referencing.Registry:
    """A registry that reads a URL under `base_url` from the same path under `folder`."""

    def retrieve(uri: str) -> referencing.Resource:
        path = folder / uri.removeprefix(base_url)
        if not uri.startswith(base_url) or not path.is_file():
            raise referencing.exceptions.NoSuchResource(ref=uri)
        return referencing.Resource.from_contents(
            json.loads(path.read_text()), default_specification=referencing.jsonschema.DRAFT7
        )

    return referencing.Registry(retrieve=retrieve)


@cache
def murmurations_validator(name: str = "organizations_schema-v1.0.0.json"):
    """A Murmurations profile schema by file name. The files say
    `https://json-schema.org/draft-07/schema#`, which jsonschema does not recognise
    (it knows the http form), so Draft-07 is named here."""
    schema = json.loads((MURMURATIONS / "schemas" / name).read_text())
    return jsonschema.Draft7Validator(
        schema,
        registry=files_under(MURMURATIONS_BASE, MURMURATIONS),
        format_checker=format_checker(),
    )


def problems(validator, document) -> list[str]:
    """Every way `document` breaks the schema, as "path: message" lines."""
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in errors]


def assert_valid(validator, document) -> None:
    found = problems(validator, document)
    assert not found, "\n".join(found)
