"""How far an offer may be to be suggested: each site's limit, a need's own, bad
limits refused; partial fits ranked by how much they cover; the demo's milk."""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from commonpot.errors import DomainError
from commonpot.models import Message, Site
from pantry.network.matches import near_filter, offers_for_need, reach_by_food
from pantry.network.models import Need, NetworkSettings, Offer
from pantry.network.site_settings import save_network_settings
from tests.conftest import client_for
from tests.factories import MembershipFactory, SiteFactory
from tests.network.factories import need, offer, stock
from tests.pantry.factories import milk

pytestmark = pytest.mark.django_db


def placed(name: str, lat: str, lng: str) -> tuple[Site, object]:
    s = SiteFactory(name=name, latitude=Decimal(lat), longitude=Decimal(lng))
    s.pantry_settings.has_chilled_storage = True
    s.pantry_settings.save()
    return s, MembershipFactory(site=s, role="lead").user


def offered(site, lead, item, quantity):
    return offer(site, stock(site, item, quantity, by=lead, days=5), by=lead)


def need_page(user, n) -> str:
    return client_for(user).get(n.get_absolute_url()).content.decode()


@pytest.fixture
def camp(mapped):
    """A camp beside the test's Riverside Kitchen (51.45, -2.60), its lead, and milk."""
    camp, camp_lead = placed("Harbour Camp", "51.452", "-2.603")
    return camp, camp_lead, milk()


def test_a_nearby_part_comes_before_a_far_whole_which_is_beyond_the_limit(
    site, lead, camp, coordinator
):
    camp, camp_lead, item = camp
    far, far_lead = placed("Brooklyn Pantry", "40.679", "-73.949")
    near_six = offered(site, lead, item, "6000")
    far_twelve = offered(far, far_lead, item, "12000")
    n = need(camp, by=camp_lead, item=item, quantity="10000")
    html = need_page(camp_lead, n)
    assert f"/offers/{near_six.pk}/" in html and "covers 6 of 10 L" in html
    assert f"/offers/{far_twelve.pk}/" not in html
    dashboard = client_for(coordinator).get(reverse("network:dashboard")).content.decode()
    needs = dashboard[dashboard.index("Open needs") : dashboard.index("Transfers in flight")]
    assert "6 L of Milk at Riverside Kitchen" in needs and "covers 6 of 10 L" in needs
    assert "Brooklyn Pantry" not in needs


def test_the_dashboard_looks_for_each_food_only_at_sites_within_reach_of_a_need_of_it(
    site, other_site, lead, camp
):
    camp, camp_lead, item = camp
    far, _ = placed("Brooklyn Pantry", "40.679", "-73.949")
    nowhere = SiteFactory(name="Nowhere Pantry")
    n = Need.objects.with_limits().get(pk=need(camp, by=camp_lead, item=item, quantity="10000").pk)
    sites = list(Site.objects.all())
    milk_here = {camp.pk, site.pk, other_site.pk}
    # Sites off the map are within reach of every need: offers there are always read.
    assert reach_by_food([n], sites) == {("item", item.pk): milk_here}
    wide = Need(site=camp, item=item, category=item.category, within_km=1000)
    far_need = Need(site=far, category="produce", within_km=30)
    assert reach_by_food([wide, far_need], sites) == {
        ("item", item.pk): milk_here,
        ("category", "produce"): {far.pk},
    }
    # A need of a site off the map: every distance from it is unknown, any site will do.
    lost = Need(site=nowhere, item=item, category=item.category, within_km=30)
    assert reach_by_food([n, lost], sites) == {("item", item.pk): None}


def test_within_the_limit_the_offer_covering_most_comes_first_then_the_nearest(site, lead, camp):
    camp, camp_lead, item = camp
    across_town, town_lead = placed("Across Town", "51.50", "-2.55")  # about 6 km
    six_near = offered(site, lead, item, "6000")
    ten_across = offered(across_town, town_lead, item, "10000")
    six_across = offered(across_town, town_lead, item, "6000")
    n = Need.objects.with_limits().get(pk=need(camp, by=camp_lead, item=item, quantity="10000").pk)
    found = offers_for_need(n, Offer.objects.open().select_related("site", "item"))
    assert [m.offer for m in found] == [ten_across, six_near, six_across]
    assert [m.covers_label for m in found] == [
        "covers all 10 L",
        "covers 6 of 10 L",
        "covers 6 of 10 L",
    ]


def test_offers_at_sites_off_the_map_come_last_marked_distance_unknown(site, lead, camp):
    camp, camp_lead, item = camp
    nowhere = SiteFactory(name="Nowhere Pantry")
    nowhere.pantry_settings.has_chilled_storage = True
    nowhere.pantry_settings.save()
    nowhere_lead = MembershipFactory(site=nowhere, role="lead").user
    unknown = offered(nowhere, nowhere_lead, item, "10000")
    near = offered(site, lead, item, "2000")
    n = need(camp, by=camp_lead, item=item, quantity="10000")
    html = need_page(camp_lead, n)
    assert html.index(f"/offers/{near.pk}/") < html.index(f"/offers/{unknown.pk}/")
    assert "distance unknown" in html


def test_a_site_sets_its_limit_on_its_settings_page_and_its_needs_follow_it(
    site, lead, other_site, other_lead, item_bread, mapped
):
    far, far_lead = placed("Far Pantry", "53.0", "-2.0")  # about 170 km
    far_offer = offered(far, far_lead, item_bread, "5000")
    n = need(other_site, by=other_lead, item=item_bread, quantity="5000")
    assert f"/offers/{far_offer.pk}/" not in need_page(other_lead, n)
    page = client_for(other_lead).get(reverse("site_edit", args=[other_site.slug]))
    assert 'name="match_within_km"' in page.content.decode()
    save_network_settings(other_site, match_within_km=200)
    assert f"/offers/{far_offer.pk}/" in need_page(other_lead, n)


def test_a_settings_form_sent_without_the_limit_keeps_the_default(other_site):
    from pantry.network.forms import NetworkSettingsForm

    form = NetworkSettingsForm({}, site=other_site)
    assert form.is_valid() and form.cleaned_data["match_within_km"] == 30


@pytest.mark.parametrize("value", ["-1", "0", "100000", "30.5", "far"])
def test_a_bad_site_limit_is_a_field_error_and_nothing_is_saved(other_site, value):
    from pantry.network.forms import NetworkSettingsForm

    form = NetworkSettingsForm({"match_within_km": value}, site=other_site)
    assert not form.is_valid() and "match_within_km" in form.errors
    assert not NetworkSettings.objects.filter(site=other_site).exists()


def test_the_settings_service_refuses_a_limit_out_of_range(other_site):
    with pytest.raises(DomainError, match="less than or equal to 1000"):
        save_network_settings(other_site, match_within_km=5000)
    assert not NetworkSettings.objects.filter(site=other_site).exists()


def test_a_need_sets_its_own_limit_narrower_or_wider_than_its_sites(
    site, lead, other_site, other_lead, item_bread, mapped
):
    near_offer = offered(site, lead, item_bread, "5000")  # about 9 km
    far, far_lead = placed("Far Pantry", "53.0", "-2.0")
    far_offer = offered(far, far_lead, item_bread, "5000")
    narrow = need(other_site, by=other_lead, item=item_bread, quantity="5000", within_km=5)
    wide = need(other_site, by=other_lead, item=item_bread, quantity="5000", within_km=300)
    narrow_html, wide_html = need_page(other_lead, narrow), need_page(other_lead, wide)
    assert f"/offers/{near_offer.pk}/" not in narrow_html and "within 5 km" in narrow_html
    assert f"/offers/{near_offer.pk}/" in wide_html and f"/offers/{far_offer.pk}/" in wide_html


def test_a_lead_posts_a_need_with_its_own_limit(other_site, other_lead, item_bread):
    response = client_for(other_lead).post(
        reverse("network:need_new", args=[other_site.slug]),
        {
            "item": item_bread.name,
            "quantity": "5",
            "unit": "kg",
            "needed_by": "2099-01-01",
            "within_km": "80",
            "token": "5b6d9f0e-0c3e-4d6f-9a55-5f3e2a1b4c70",
        },
    )
    assert response.status_code == 302
    assert Need.objects.get().within_km == 80


@pytest.mark.parametrize("value", ["-1", "0", "10000", "far"])
def test_a_bad_need_limit_is_a_field_error_and_nothing_is_written(
    other_site, other_lead, item_bread, value
):
    response = client_for(other_lead).post(
        reverse("network:need_new", args=[other_site.slug]),
        {
            "item": item_bread.name,
            "quantity": "5",
            "unit": "kg",
            "needed_by": "2099-01-01",
            "within_km": value,
            "token": "5b6d9f0e-0c3e-4d6f-9a55-5f3e2a1b4c71",
        },
    )
    assert response.status_code == 400
    assert 'id="id_within_km_error"' in response.content.decode() or "within_km" in str(
        response.context["form"].errors
    )
    assert not Need.objects.exists()


@pytest.mark.parametrize("value", [-1, 0, 1001, 10_000, "30", 2.5, True])
def test_the_need_service_refuses_a_limit_out_of_range(other_site, other_lead, item_bread, value):
    with pytest.raises(DomainError) as refused:
        need(other_site, by=other_lead, item=item_bread, within_km=value)
    assert refused.value.field == "within_km" and "1 to 1,000 km" in refused.value.message
    assert not Need.objects.exists()


def test_an_offer_beyond_a_needs_limit_emails_nobody_and_a_partial_one_says_how_much(
    site, lead, camp, django_capture_on_commit_callbacks
):
    camp, camp_lead, item = camp
    far, far_lead = placed("Brooklyn Pantry", "40.679", "-73.949")
    need(camp, by=camp_lead, item=item, quantity="10000")
    with django_capture_on_commit_callbacks(execute=True):
        offered(far, far_lead, item, "12000")
    assert not Message.objects.filter(kind="network_match").exists()
    with django_capture_on_commit_callbacks(execute=True):
        offered(site, lead, item, "6000")
    (sent,) = mail.outbox
    assert sent.to == [camp_lead.email] and "covers 6 of 10 L" in sent.body


def test_the_box_around_a_site_keeps_every_site_within_reach_and_those_off_the_map(
    site, other_site, mapped
):
    edge, _ = placed("Edge", "51.70", "-2.60")  # about 28 km north of Riverside
    beyond, _ = placed("Beyond", "51.80", "-2.60")  # about 39 km
    nowhere = SiteFactory(name="Nowhere")
    kept = set(Site.objects.filter(near_filter(site, 30, field="")))
    assert {site, other_site, edge, nowhere} <= kept and beyond not in kept


def test_the_demo_camps_milk_need_is_matched_to_the_nearby_6_litres_first():
    call_command("seed_demo")
    camp = Site.objects.get(slug="harbour-camp")
    n = Need.objects.get(site=camp, item__name="Milk")
    lead = camp.memberships.filter(role="lead").first().user
    html = need_page(lead, n)
    first = html.index("<article")
    assert "Riverside Community Kitchen" in html[first : html.index("</article>", first)]
    assert "covers 6 of 10 L" in html
    eastside_milk = Offer.objects.get(site__slug="eastside-food-bank", item__name="Milk")
    assert f"/offers/{eastside_milk.pk}/" not in html
