"""The network's and the kitchen's pages in `manage.py benchmark pages`: the seeds
make their data once, reuse it on a second run, and every page answers."""

import pytest

from commonpot.benchmark_pages import client_for
from commonpot.models import Site
from kitchen import benchmark_pages as kitchen_pages
from pantry.network import benchmark_pages as network_pages
from pantry.network.models import Offer

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("seed", [kitchen_pages.seed, network_pages.seed])
def test_a_second_seed_reuses_the_first_and_every_page_answers(seed):
    lines: list[str] = []
    pages = seed(scale=0.05, out=lines.append)
    sites, offers = Site.objects.count(), Offer.objects.count()
    again = seed(scale=0.05, out=lines.append)
    assert (Site.objects.count(), Offer.objects.count()) == (sites, offers)
    assert [p.url for p in again] == [p.url for p in pages]
    for page in pages:
        response = client_for(page.user).get(page.url)
        assert response.status_code in page.expect, page.name
