"""A lead's phone loses its connection in the store room: the roster and the waste
page stay readable, three check-ins and a discard wait on the phone, and once
back online each is recorded once, however often the phone sends its queue.
Also: what the server refuses when the queue gets there, and check-in by QR code.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from pantry import services as pantry_services
from pantry.models import StockMove
from tests.browser.conftest import log_in, phone_page
from tests.factories import PASSWORD
from tests.pantry.factories import rice
from tests.volunteers.factories import shift_today
from volunteers.models import AttendanceChange, SignUp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Put back what the phone sent, as if its answers were lost: the queue goes out again.
PUT_BACK = """async (entries) => {
  const db = await new Promise((resolve, reject) => {
    const r = indexedDB.open("commonpot-offline", 1);
    r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error);
  });
  await new Promise((resolve, reject) => {
    const t = db.transaction("queue", "readwrite");
    for (const e of entries) t.objectStore("queue").put(e);
    t.oncomplete = resolve; t.onerror = () => reject(t.error);
  });
  db.close();
}"""


@pytest.fixture
def handset(browser, live_server):
    """A 390 x 844 phone, with its service worker allowed (Playwright's default)."""
    yield from phone_page(browser, live_server, height=844)


@pytest.fixture
def handset_without_worker(browser, live_server):
    """The same phone with no service worker. Playwright's routing does not always
    see a post from a page a service worker controls (microsoft/playwright#7588),
    and a test that cuts a post off by routing needs it to."""
    yield from phone_page(browser, live_server, height=844, service_workers="block")


def past_use_by(site, lead, grams="700", item=None):
    return pantry_services.receive(
        site=site,
        item=item or rice(),
        quantity=Decimal(grams),
        by=lead,
        source="Test intake",
        best_before=site.today() - timedelta(days=3),
        date_kind="use_by",
    ).lot


def open_with_worker(page, url):
    """Open `url` and again once the service worker controls the page, so it is kept."""
    page.goto(url)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    assert page.evaluate("!!navigator.serviceWorker.controller")


def wasted():
    return StockMove.objects.filter(kind=StockMove.Kind.WASTED)


def test_checked_in_and_wasted_offline_recorded_once_each_when_back_online(handset, site, lead):
    shift = shift_today(site)
    lot = past_use_by(site, lead)
    roster = f"/sites/{site.slug}/shifts/{shift.pk}/"
    waste = f"/sites/{site.slug}/waste/"
    log_in(handset, lead.username, PASSWORD)
    open_with_worker(handset, waste)
    open_with_worker(handset, roster)

    handset.context.set_offline(True)
    handset.reload()  # the kept copy, marked as such
    expect(handset.locator(".offline-banner")).to_contain_text("Offline — showing the page as of")
    for row in handset.locator("form.check-in").all():
        row.get_by_role("button").click()
    expect(handset.locator(".offline-waiting")).to_have_text("3 waiting to send")
    handset.goto(waste)
    handset.get_by_role("button", name="Discard to compost").click()
    expect(handset.locator(".offline-waiting")).to_contain_text("4 waiting to send")
    assert not AttendanceChange.objects.exists() and not wasted().exists()
    queue = handset.evaluate("window.commonpotOffline.entries()")
    assert [e["label"] for e in queue] == [
        "Check-in: Cook helper 1",
        "Check-in: Cook helper 2",
        "Check-in: Cook helper 3",
        f"Discard Rice, lot {lot.pk}",
    ]

    handset.context.set_offline(False)
    expect(handset.locator(".offline-waiting")).to_have_count(0)
    assert AttendanceChange.objects.count() == 3
    assert set(SignUp.objects.filter(shift=shift).values_list("attendance", flat=True)) == {
        "attended"
    }
    assert wasted().count() == 1
    lot.refresh_from_db()
    assert lot.on_hand == 0

    # The phone sends the same queue again, twice at once, then once more on a reload.
    handset.evaluate(PUT_BACK, queue)
    handset.evaluate(
        "Promise.all([window.commonpotOffline.flush(), window.commonpotOffline.flush()])"
    )
    handset.evaluate(PUT_BACK, queue)
    handset.reload()
    expect(handset.locator(".offline-waiting")).to_have_count(0)
    assert handset.evaluate("window.commonpotOffline.entries()") == []
    assert AttendanceChange.objects.count() == 3
    assert wasted().count() == 1


def test_what_the_server_refuses_is_shown_with_its_reason_and_the_queue_goes_on(
    handset, site, lead
):
    gone = shift_today(site, name="Cook", people=1)
    kept = shift_today(site, name="Driver", people=1, hour=3)
    lot = past_use_by(site, lead)
    log_in(handset, lead.username, PASSWORD)
    waste = f"/sites/{site.slug}/waste/"
    open_with_worker(handset, waste)
    open_with_worker(handset, f"/sites/{site.slug}/shifts/{kept.pk}/")
    open_with_worker(handset, f"/sites/{site.slug}/shifts/{gone.pk}/")

    handset.context.set_offline(True)
    waiting = handset.locator(".offline-waiting")
    # Each is kept on the phone before the next page is opened.
    handset.locator("form.check-in").get_by_role("button").click()
    expect(waiting).to_contain_text("1 waiting to send")
    handset.goto(waste)
    handset.get_by_role("button", name="Discard to compost").click()
    expect(waiting).to_contain_text("2 waiting to send")
    handset.goto(f"/sites/{site.slug}/shifts/{kept.pk}/")
    handset.locator("form.check-in").get_by_role("button").click()
    expect(waiting).to_contain_text("3 waiting to send")

    # Meanwhile, at the site: the first shift is deleted and the lot thrown out.
    gone.delete()
    pantry_services.discard(lot, reason="expired", destination="compost", by=lead)
    handset.context.set_offline(False)

    refused = handset.locator(".offline-refused-item")
    expect(refused).to_have_count(2)
    expect(refused.nth(0)).to_contain_text("Check-in: Cook helper 1")
    expect(refused.nth(0)).to_contain_text("was deleted meanwhile")
    expect(refused.nth(1)).to_contain_text(f"Discard Rice, lot {lot.pk}")
    expect(refused.nth(1)).to_contain_text("already empty")
    expect(handset.locator(".offline-waiting")).to_have_count(0)
    # Nothing written for the refused two; the one after them went through.
    assert list(AttendanceChange.objects.values_list("sign_up__shift", flat=True)) == [kept.pk]
    assert wasted().count() == 1  # the one made at the site

    refused.nth(0).get_by_role("button", name="Drop").click()
    expect(refused).to_have_count(1)
    expect(refused.nth(0).get_by_role("link", name="Fix")).to_have_attribute(
        "href", f"{handset.url.split('/sites/')[0]}{waste}#offline-fix-2"
    )


def test_a_volunteer_checks_in_by_opening_the_code_on_the_leads_roster(
    browser, live_server, handset, site, lead
):
    shift = shift_today(site, people=1)
    sign_up = SignUp.objects.get(shift=shift)
    volunteer = sign_up.volunteer
    log_in(handset, lead.username, PASSWORD)
    handset.goto(f"/sites/{site.slug}/shifts/{shift.pk}/")
    handset.get_by_text("Check-in code for volunteers (QR)").click()
    code = handset.locator("#check-in-code")
    expect(code.locator("svg")).to_be_visible()
    address = code.get_by_role("link").get_attribute("href")
    assert f"code=s{shift.pk}." in address

    other = browser.new_context(viewport={"width": 390, "height": 844})
    phone = other.new_page()
    phone.set_default_timeout(10_000)
    phone.goto(address)  # as the camera app opens it: first the login, then the page
    phone.get_by_label("Username").fill(volunteer.username)
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Log in").click()
    expect(phone.get_by_text("You are on Cook")).to_be_visible()
    phone.get_by_role("button", name="Check me in").click()
    expect(phone.get_by_text("You are checked in: Cook")).to_be_visible()
    sign_up.refresh_from_db()
    assert sign_up.attendance == "attended"

    # The code typed (or read by the camera) on the check-in page, then tampered with.
    phone.goto(f"{live_server.url}/check-in/")
    text = address.split("code=")[1]
    phone.get_by_label("Check-in code").fill(text[:-1] + ("1" if text[-1] == "0" else "0"))
    phone.get_by_role("button", name="Check the code").click()
    expect(phone.locator("#check-in-error")).to_contain_text("was changed")
    other.close()
    assert AttendanceChange.objects.count() == 1


def test_a_correction_made_offline_on_a_kept_page_is_recorded(handset, site, lead):
    """The kept roster is from before an online check-in, so its form's token was used:
    what is queued offline goes with a token of its own, not as "already sent"."""
    shift = shift_today(site, people=1)
    roster = f"/sites/{site.slug}/shifts/{shift.pk}/"
    log_in(handset, lead.username, PASSWORD)
    open_with_worker(handset, roster)
    handset.locator("form.check-in").get_by_role("button").click()  # online, in place
    expect(handset.locator("#roster-rows, tbody").first).to_contain_text("Attended, 2 h")
    assert AttendanceChange.objects.count() == 1

    handset.context.set_offline(True)
    handset.reload()
    handset.locator("form.check-in select").select_option("missed")
    handset.locator("form.check-in").get_by_role("button").click()
    expect(handset.locator(".offline-waiting")).to_have_text("1 waiting to send")
    handset.context.set_offline(False)
    expect(handset.locator(".offline-waiting")).to_have_count(0)
    expect(handset.locator(".offline-refused-item")).to_have_count(0)
    assert SignUp.objects.get(shift=shift).attendance == "missed"
    assert AttendanceChange.objects.count() == 2


def test_logging_out_empties_what_the_phone_kept(handset, site, lead):
    shift = shift_today(site, people=1)
    roster = f"/sites/{site.slug}/shifts/{shift.pk}/"
    log_in(handset, lead.username, PASSWORD)
    open_with_worker(handset, roster)
    kept = f"caches.match('{roster}').then((r) => !!r)"
    assert handset.evaluate(kept)
    with handset.expect_navigation():
        handset.get_by_role("button", name="Log out").click()
    expect(handset.get_by_role("link", name="Log in")).to_be_visible()
    assert not handset.evaluate(kept)
    handset.context.set_offline(True)
    handset.goto(roster)
    expect(handset.get_by_role("heading", name="No connection")).to_be_visible()
    expect(handset.locator("main")).not_to_contain_text("Cook helper 1")


def test_a_fridge_reading_taken_offline_counts_from_when_it_was_taken(handset, site, lead):
    from django.utils import timezone

    from pantry.models import LotHold, Reading
    from pantry.services import equipment
    from tests.pantry.factories import milk

    site.pantry_settings.has_chilled_storage = True
    site.pantry_settings.save()
    fridge = equipment.add_equipment(site, name="Fridge 1", kind="fridge")
    pantry_services.receive(
        site=site, item=milk(), quantity=Decimal(2000), by=lead, source="Dairy", stored_in=fridge
    )
    log_in(handset, lead.username, PASSWORD)
    open_with_worker(handset, f"/sites/{site.slug}/temperatures/")

    handset.context.set_offline(True)
    before = timezone.now()
    handset.get_by_label("Fridge 1 now (°C)").fill("9")
    handset.get_by_role("button", name="Save Fridge 1").click()
    expect(handset.locator(".offline-waiting")).to_have_text("1 waiting to send")
    queued = handset.evaluate("window.commonpotOffline.entries()")
    assert queued[0]["label"] == "Reading: Fridge 1"
    handset.wait_for_timeout(1500)  # the connection comes back a little later
    back = timezone.now()
    assert not Reading.objects.exists()

    handset.context.set_offline(False)
    expect(handset.locator(".offline-waiting")).to_have_count(0)
    reading = Reading.objects.get()
    assert before - timedelta(seconds=1) <= reading.at <= back  # when taken, not when sent
    assert not reading.passed
    assert LotHold.objects.get().started_at == reading.at


def test_a_form_sent_when_the_signal_is_gone_after_all_waits_on_the_phone(
    handset_without_worker, site, lead
):
    """The phone says it is online but the post never arrives (a basement's last bar
    of signal): the discard is kept instead of the browser's error page, and sent
    once when it gets through. Sent with a signal, it is saved as always. (The page
    does this, not the service worker: the other tests here have one.)"""
    handset = handset_without_worker
    dropped = past_use_by(site, lead)
    kept = past_use_by(site, lead, grams="300", item=dropped.item)
    log_in(handset, lead.username, PASSWORD)
    discard = f"/sites/{site.slug}/lots/{dropped.pk}/discard/"
    handset.goto(discard)

    handset.route(
        f"**{discard}",
        lambda route: route.abort() if route.request.method == "POST" else route.continue_(),
    )
    handset.get_by_role("button", name="Discard").click()
    expect(handset.locator(".offline-waiting")).to_contain_text("1 waiting to send")
    assert not wasted().exists()
    handset.unroute(f"**{discard}")
    handset.evaluate("window.commonpotOffline.flush()")
    expect(handset.locator(".offline-waiting")).to_have_count(0)
    assert wasted().count() == 1

    # With a signal: saved, and the page it goes to says so (its one-time message).
    handset.goto(f"/sites/{site.slug}/lots/{kept.pk}/discard/")
    handset.get_by_role("button", name="Discard").click()
    expect(handset.get_by_text("Discarded 300 g of Rice to compost.")).to_be_visible()
    assert wasted().count() == 2

    # Refused (nothing to discard any more): the form comes back with the reason.
    handset.goto(f"/sites/{site.slug}/lots/{kept.pk}/discard/")
    handset.get_by_role("button", name="Discard").click()
    expect(handset.locator("p.error, .form-errors").first).to_be_visible()
    assert wasted().count() == 2
