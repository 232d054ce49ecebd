"""The authorization matrix: every URL x every actor -> expected status.

Each app keeps its rows in tests/<app>/test_authz.py and calls `check_matrix`.
A row is (method, url name, kwargs for reverse, {actor: status}); actors not
named in a row must get `default` for that row. A 302 for an anonymous visitor
means "sent to the login page".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse

from tests.conftest import client_for

ACTORS = ("coordinator", "lead", "other_lead", "volunteer", "outsider", "anonymous")


@dataclass
class Row:
    method: str
    name: str
    kwargs: dict = field(default_factory=dict)
    expect: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)

    def status_for(self, actor: str) -> int:
        return self.expect[actor]


def check_matrix(rows: list[Row], actors: dict, resolve_kwargs) -> None:
    """Run every row for every actor; report all mismatches at once."""
    failures = []
    for row in rows:
        missing = [a for a in ACTORS if a not in row.expect]
        assert not missing, f"{row.name}: the row names no status for {missing}"
        for actor in ACTORS:
            client = client_for(actors[actor])
            url = reverse(row.name, kwargs=resolve_kwargs(row.kwargs))
            response = getattr(client, row.method.lower())(url, row.data)
            expected = row.status_for(actor)
            if response.status_code != expected:
                failures.append(
                    f"{row.method} {url} as {actor}: {response.status_code}, expected {expected}"
                )
            elif expected == 302 and actor == "anonymous" and "login" not in response["Location"]:
                failures.append(
                    f"{row.method} {url} as anonymous: redirected to {response['Location']}"
                )
    assert not failures, "\n".join(failures)


def everyone(status: int, **overrides: int) -> dict:
    return {actor: overrides.get(actor, status) for actor in ACTORS}


# Common shapes of rows.
def public(**overrides: int) -> dict:
    return everyone(200, **overrides)


def lead_only(**overrides: int) -> dict:
    """Managed by this site's lead and coordinators; other people are refused."""
    base = {
        "coordinator": 200,
        "lead": 200,
        "other_lead": 403,
        "volunteer": 403,
        "outsider": 403,
        "anonymous": 302,
    }
    base.update(overrides)
    return base


def logged_in(status: int = 200, **overrides: int) -> dict:
    base = everyone(status, anonymous=302)
    base.update(overrides)
    return base
