"""The harness itself: two installs answer on their own addresses, each knows only
its own people, a person logs in through the real form, and an install stopped and
started again is the same install."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.federation.installs import create_site, create_user

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("federation")]

PASSWORD = "a-long-federation-password"


def usernames(install) -> list[str]:
    code = "print(json.dumps(sorted(User.objects.values_list('username', flat=True))))"
    return json.loads(install.python(code))


def test_two_installs_run_side_by_side_and_keep_their_people_through_a_restart(two_installs):
    leeds, bradford = two_installs
    assert leeds.site_url != bradford.site_url
    for install in two_installs:
        visitor = install.client()
        login = visitor.get("/accounts/login/")
        assert login.status_code == 200
        assert 'name="username"' in login.text
        assert visitor.get("/").status_code == 200

    # Each install has a coordinator of its own (made at the same time).
    with ThreadPoolExecutor(2) as pool:
        made = [
            pool.submit(create_user, leeds, "rosa", PASSWORD, role="coordinator"),
            pool.submit(create_user, bradford, "bea", PASSWORD, role="coordinator"),
        ]
        assert all(isinstance(done.result(), int) for done in made)

    # Each logs in over HTTP on their own install, and only there.
    rosa = leeds.client("rosa", PASSWORD)
    assert rosa.get("/accounts/profile/").status_code == 200
    with pytest.raises(AssertionError, match="could not log in"):
        bradford.client("rosa", PASSWORD)

    # A site added as a coordinator adds one, and a lead there.
    create_site(bradford, "Bradford Community Kitchen", "bradford-kitchen")
    create_user(bradford, "lena", PASSWORD, role="lead", site="bradford-kitchen")
    lena = bradford.client("lena", PASSWORD)
    assert "Bradford Community Kitchen" in lena.get("/").text

    # Stopped, Leeds answers no more; started again, it is the same install.
    leeds.stop()
    with pytest.raises(requests.ConnectionError):
        leeds.client().get("/healthz", timeout=5)
    leeds.start()
    assert usernames(leeds) == ["rosa"]
    assert leeds.client("rosa", PASSWORD).get("/accounts/profile/").status_code == 200
    # Her session from before the restart is still good: the key did not change.
    assert rosa.get("/accounts/profile/", allow_redirects=False).status_code == 200
