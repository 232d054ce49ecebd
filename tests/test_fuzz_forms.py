"""Every form of every authorization matrix, posted hostile values by every actor.

Calendar edges, NUL bytes, 20-digit numbers, 10,000-character strings,
right-to-left and combining characters, markup, SQL, fields missing and fields
sent twice (see tests/fuzzing.py): the answer is never a 5xx, a refusal writes
nothing, and every page of the matrix still opens afterwards. A post may also
be accepted (a strange but valid name), and then it may write. Run on SQLite
and PostgreSQL, as the rest of the suite.

The sheets' matrix (tests/reminders/test_authz.py) has no post form: its pages
are documents and a GET form to pick a day.
"""

import uuid

import pytest
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from commonpot.models import User
from tests import fuzzing
from tests.authz import Row, public
from tests.commonpot import test_authz as core
from tests.commonpot.test_authz import core_names  # noqa: F401 — fixtures
from tests.kitchen import test_authz as kitchen
from tests.kitchen.conftest import items, receive, today  # noqa: F401
from tests.kitchen.test_authz import kitchen_names  # noqa: F401
from tests.network import test_authz as network
from tests.network.conftest import item_bread, mapped  # noqa: F401
from tests.network.test_authz import network_names  # noqa: F401
from tests.pantry import test_authz as pantry
from tests.pantry.conftest import item_rice  # noqa: F401
from tests.pantry.test_authz import records as pantry_names  # noqa: F401
from tests.volunteers import test_authz as volunteers
from tests.volunteers.test_authz import volunteers_names  # noqa: F401

pytestmark = pytest.mark.django_db


def _fuzz(rows, actors, names, *, at_least: int):
    def resolve(kwargs):
        return {k: names.get(v, v) for k, v in kwargs.items()}

    outcome = fuzzing.fuzz_matrix(rows, actors, resolve)
    fuzzed = {form.view_name for form in outcome.forms}
    # Every POST row is fuzzed, through its page's form or its own data.
    assert {row.name for row in rows if row.method == "POST"} <= fuzzed
    # The pages' forms were found: a parser that saw none would pass everything.
    assert len(fuzzed) >= at_least, sorted(fuzzed)
    assert not outcome.failures, f"{len(outcome.failures)} of {outcome.posts} posts:\n" + "\n".join(
        outcome.failures
    )


# Each matrix, the fixture that makes the objects its rows name, and how many forms
# its pages must show at least.
MATRICES = {
    "core": (core, "core_names", 10),
    "pantry": (pantry, "pantry_names", 11),
    "network": (network, "network_names", 10),
    "kitchen": (kitchen, "kitchen_names", 10),
    "volunteers": (volunteers, "volunteers_names", 25),
}


@pytest.mark.slow
@pytest.mark.parametrize("area", sorted(MATRICES))
def test_hostile_values_in_every_form_of_the_matrix(area, actors, request):
    matrix, names, at_least = MATRICES[area]
    _fuzz(matrix.ROWS, actors, request.getfixturevalue(names), at_least=at_least)


# --- The fuzzer itself: it sees a crash, and a refusal that wrote -----------------


def _careless_form(request: HttpRequest) -> HttpResponse:
    """Crashes on a long name; refuses "NaN" having made an account, and "Infinity"
    having renamed one."""
    if request.method == "POST":
        name = request.POST.get("name", "")
        if len(name) > 5000:
            raise ValueError("a name this long")
        if name == "NaN":
            User.objects.create(username=f"careless-{uuid.uuid4()}")
            return HttpResponse("refused", status=400)
        if name == "Infinity":
            User.objects.filter(username="rosa").update(display_name=name)
            return HttpResponse('<p class="error">Refused.</p>')
        return HttpResponse("ok")
    return HttpResponse(
        '<form method="post"><input name="name" value="Rice">'
        f'<input type="hidden" name="token" value="{uuid.uuid4()}"></form>'
        '<form method="get"><input name="q"></form>'
    )


# The site's own addresses too: the 500 page links to them.
urlpatterns = [
    path("careless/", _careless_form, name="careless"),
    path("", include("commonpot.urls")),
]


@pytest.mark.urls(__name__)
def test_the_fuzzer_reports_a_crash_and_a_refusal_that_wrote(actors):
    outcome = fuzzing.fuzz_matrix([Row("GET", "careless", expect=public())], actors, dict)
    assert [form.fields for form in outcome.forms] == [["name", "token"]]
    report = "\n".join(outcome.failures)
    assert "every field = 'xxxxx' x 10,000: 500 ValueError: a name this long" in report
    assert "every field = 'NaN': refused (400) but wrote commonpot_user (5 -> 6 rows)" in report
    assert (
        "every field = 'Infinity': refused (200) but wrote commonpot_user (6 -> 6 rows)" in report
    )
    assert len(outcome.failures) == 3
