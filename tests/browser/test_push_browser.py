"""Notifications on a phone, in Chromium: turning them on from the profile, and the
service worker's push handler showing a notification when a push arrives.

Headless Chromium has no push service to subscribe with (that needs Google's
servers), so the first test stands in for the browser's push service only: the
page's pushManager.subscribe answers with a subscription as a browser would,
and everything around it (permission, service worker registration at /sw.js,
the POST to the server, the page listing the phone) is real. The second test
delivers a real push event to the registered service worker through the
DevTools protocol and reads the notification it showed.
"""

from __future__ import annotations

import base64
import json

import pytest
from playwright.sync_api import expect

from commonpot.models import PushSubscription
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, UserFactory

P256DH = "BGgL7I82SAQM78oyGwaJdrQFhVfZqL9h4Y18BLtgJQ-9pSGXwxqAWQudqmcv41RcWgk1ssUeItv4-8khxbhYveM"
AUTH = "ANlfcVVFB4JiMYcI_FnmCA"

# Stands in for the browser's push service (see the module doc): the subscription
# a browser would get back, with a Firebase-like endpoint and real-looking keys.
FAKE_SUBSCRIBE = """
(() => {
  const sub = {
    endpoint: "https://fcm.googleapis.com/fcm/send/test-phone-1",
    toJSON() { return {endpoint: this.endpoint, keys: {p256dh: "P256DH", auth: "AUTH"}}; },
  };
  PushManager.prototype.getSubscription = async function () { return null; };
  PushManager.prototype.subscribe = async function (options) {
    const key = new Uint8Array(options.applicationServerKey);
    sessionStorage.setItem("subscribedWithKey", btoa(String.fromCharCode(...key)));
    return sub;
  };
})();
""".replace("P256DH", P256DH).replace("AUTH", AUTH)


@pytest.fixture
def vera(db):
    return UserFactory(username="vera", display_name="Vera Okafor", email="vera@example.org")


def test_a_volunteer_turns_on_notifications_on_their_phone_and_removes_it(phone, vera):
    from commonpot import push

    phone.context.grant_permissions(["notifications"])
    phone.add_init_script(FAKE_SUBSCRIBE)
    log_in(phone, vera.username, PASSWORD)
    phone.goto("/accounts/profile/")
    phone.get_by_role("button", name="Turn on notifications on this phone").click()
    expect(phone.get_by_text("since")).to_be_visible()
    sub = PushSubscription.objects.get()
    assert sub.user == vera and sub.endpoint.endswith("/test-phone-1")
    assert (sub.p256dh, sub.auth) == (P256DH, AUTH)
    vera.refresh_from_db()
    assert vera.remind_by_push is True
    # The browser was given this install's VAPID public key to subscribe with.
    given = base64.b64decode(phone.evaluate("sessionStorage.getItem('subscribedWithKey')"))
    assert base64.urlsafe_b64encode(given).rstrip(b"=").decode() == push.public_key()
    registered = phone.evaluate(
        "navigator.serviceWorker.getRegistration('/')"
        ".then(r => r && r.active && r.active.scriptURL)"
    )
    assert registered.endswith("/sw.js")
    phone.get_by_role("button", name="Remove this phone").click()
    expect(phone.get_by_text("Notifications are off on that phone.")).to_be_visible()
    assert not PushSubscription.objects.exists()


def test_a_push_to_the_service_worker_shows_a_notification(page, vera):
    page.context.grant_permissions(["notifications"])
    log_in(page, vera.username, PASSWORD)
    page.goto("/accounts/profile/")
    cdp = page.context.new_cdp_session(page)
    registrations: list[dict] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(event["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    page.evaluate(
        "navigator.serviceWorker.register('/sw.js', {scope: '/'})"
        ".then(() => navigator.serviceWorker.ready)"
    )
    page.wait_for_function("navigator.serviceWorker.controller !== undefined")
    page.wait_for_timeout(300)
    registration = next(r for r in registrations if r["scopeURL"].endswith("/"))
    origin = page.evaluate("location.origin")
    payload = {
        "title": "Reminder: Cook at Riverside Kitchen",
        "body": "Reply YES if you are coming, NO to give up your place.",
        "tag": "reminder-first:sign-up:1:push",
        "url": origin + "/me/shifts/",
    }
    # The app's worker may still be installing (it keeps the offline page first) on a
    # busy machine: a push reaches only an active worker, so it is sent again until
    # one shows. The same tag replaces itself: one notification however many sends.
    page.evaluate("navigator.serviceWorker.ready.then(r => !!r.active)")
    shown = []
    for _ in range(10):
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {
                "origin": origin,
                "registrationId": registration["registrationId"],
                "data": json.dumps(payload),
            },
        )
        for _ in range(10):
            shown = page.evaluate(
                """navigator.serviceWorker.ready
                     .then(r => r.getNotifications())
                     .then(list => list.map(n => [n.title, n.body, n.tag]))"""
            )
            if shown:
                break
            page.wait_for_timeout(100)
        if shown:
            break
    assert shown == [[payload["title"], payload["body"], payload["tag"]]]
